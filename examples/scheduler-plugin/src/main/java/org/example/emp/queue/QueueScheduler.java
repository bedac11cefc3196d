package org.example.emp.queue;

import static java.util.Objects.requireNonNull;

import emp.spi.app.AppSpec;
import emp.spi.app.QualityMetric;
import emp.spi.cluster.LoadFigures;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.ClusterView;
import emp.spi.scheduler.ScaleDecision;
import emp.spi.scheduler.Scheduler;
import emp.spi.scheduler.WindowMetrics;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Sizes every app as a queue: from how fast requests arrive and how long each keeps a replica busy, the replicas that
 * keep the wait short enough for the app's latency target. Each app is judged alone, from its own figures.
 *
 * <p><b>The model</b>, in three steps:
 *
 * <ol>
 *   <li><b>Work in service (Little's law).</b> Requests arrive at λ per second and each keeps a slot of a replica busy
 *       for its service time S, so on average {@code λ × S} slots are busy ({@code L = λW}, applied to the slots).
 *   <li><b>How busy a slot may be.</b> Each slot is taken as an M/M/1 queue: at utilization ρ a request spends
 *       {@code S / (1 - ρ)} on average, and as that time is exponential its 95th percentile is {@code ln 20 ≈ 3.0}
 *       times the mean (the 99th, {@code ln 100 ≈ 4.6} times). Keeping it under the app's {@code latency_p95_ms}
 *       target T gives {@code ρ ≤ 1 - 3.0 × S_own / T}, where {@code S_own} is the app's own part of S: the time not
 *       spent waiting on the apps it calls, which its replicas cannot shorten. ρ is never planned above the
 *       configured utilization (0.7 by default, also the plan of an app without a latency target). A target that
 *       would need less than {@link #MIN_UTILIZATION} is out of reach of replicas (the app's own time alone nearly
 *       misses it): it is left out of the plan, and the reason says so, rather than bought with idle replicas.
 *   <li><b>Replicas.</b> {@code needed = ceil(λ × S / (c × ρ))}, c being the requests a replica is given at once.
 * </ol>
 *
 * <p><b>Where the figures come from.</b> Where the cluster measures the app's requests (the local cluster's gateway:
 * {@link AppView#load()}), λ is the arrivals per second of its last {@value #LOAD_SECONDS} seconds plus the requests
 * waiting now, to be cleared within {@value #DRAIN_SECONDS} s; S is the mean time a request spent at its replica, not
 * counting its wait in the gateway's line; c is the gateway's limit per replica; {@code S_own} is the span window's
 * self time when it has one, else S. Elsewhere (Kubernetes) the span window gives λ (its request rate) and S (its self
 * time); c is the spec's {@code concurrency}, or 1. Self time includes any wait inside the app, so it overstates S
 * while the app is overloaded: the first step up is too large, and later ticks bring it back down. (It may also hold
 * the time the app's own calls waited for a busy callee, which makes a caller's target look out of reach.)
 *
 * <p><b>Decisions.</b> Up at once to what is needed. Down only when even {@value #DOWN_MARGIN_PERCENT}% more work
 * would fit in fewer replicas than the app has, so that an app whose load sits near a boundary does not flap, and
 * only while the app meets its latency targets. Always within {@code [min_replicas, max_replicas]}, and never to zero
 * (the platform's own rule takes idle apps with {@code min_replicas: 0} to zero and wakes them). No decision for an
 * app with no replicas (stopped, or asleep), nor for one with no figures, figures that are not numbers, or requests
 * none of which completed (no service time to size from).
 *
 * <p>Keeps no state: the same view always gets the same decisions. Not thread-safe, nor need it be; the host calls
 * {@link #decide} from one thread.
 */
public final class QueueScheduler implements Scheduler {
    /** The seconds of the cluster's load figures that λ and S are averaged over: the span window's length. */
    static final int LOAD_SECONDS = 10;

    /** The seconds within which requests waiting now should be cleared: they add {@code queued / 10} to λ. */
    static final double DRAIN_SECONDS = 10;

    /** The lowest utilization planned for a target: one that needs less is out of reach of more replicas. */
    static final double MIN_UTILIZATION = 0.2;

    /** The highest configurable utilization: near 1 a queue's wait grows without bound. */
    static final double MAX_UTILIZATION = 0.95;

    /** How much more work must still fit in fewer replicas before one is removed, in percent. */
    static final int DOWN_MARGIN_PERCENT = 20;

    /** The 95th percentile of an exponential time over its mean, ln 20. */
    private static final double P95_OVER_MEAN = Math.log(20);

    /** The 99th percentile of an exponential time over its mean, ln 100. */
    private static final double P99_OVER_MEAN = Math.log(100);

    private final double utilization;

    /**
     * @param utilization the most a replica's slots are planned to be busy, from {@link #MIN_UTILIZATION} to
     *                    {@link #MAX_UTILIZATION}; a latency target can only lower it
     */
    public QueueScheduler(double utilization) {
        if (!(utilization >= MIN_UTILIZATION && utilization <= MAX_UTILIZATION)) {
            throw new IllegalArgumentException(
                    "utilization is not from " + MIN_UTILIZATION + " to " + MAX_UTILIZATION + ": " + utilization);
        }
        this.utilization = utilization;
    }

    /** @return at most one decision per app, in the order of the apps' references */
    @Override
    public List<ScaleDecision> decide(ClusterView view) {
        requireNonNull(view, "view is null");
        return view.apps().values().stream()
                .sorted(Comparator.comparing(app -> app.app().toString()))
                .map(this::size)
                .flatMap(Optional::stream)
                .toList();
    }

    private Optional<ScaleDecision> size(AppView app) {
        // Stopped by a person, or asleep until its next request wakes it: not this scheduler's to start.
        if (app.replicas() == 0) {
            return Optional.empty();
        }
        Optional<Demand> measured = Demand.of(app);
        if (measured.isEmpty()) {
            return Optional.empty();
        }
        Demand demand = measured.get();
        // 1. Little's law: the slots busy on average. 2. How busy a slot may be. 3. The replicas that gives.
        double busy = demand.rate() * demand.serviceMs() / 1000;
        Plan plan = plan(app.spec(), demand.ownMs());
        double replicas = busy / (demand.slotsPerReplica() * plan.utilization());

        AppSpec spec = app.spec();
        int max = spec.effectiveMaxReplicas();
        int min = Math.min(Math.max(1, spec.effectiveMinReplicas()), max);
        String basis = demand.describe(busy) + "; " + demand.slotsPerReplica() + " at a time per replica, each at most "
                + percent(plan.utilization()) + " busy " + plan.why();

        // Up at once, to all that is needed.
        int needed = ceil(replicas);
        int up = clamp(needed, min, max);
        if (up > app.replicas()) {
            return Optional.of(new ScaleDecision(
                    app.app(),
                    up,
                    basis + ": ceil(" + format(busy) + " / (" + demand.slotsPerReplica() + " x "
                            + format(plan.utilization()) + ")) = " + needed + bounded(needed, up, min, max)));
        }

        // Down only with room to spare, so that a load near a boundary does not flap, and never while a target is
        // missed: the replicas may be what keeps the latency from being worse.
        int spared = ceil(replicas * (100 + DOWN_MARGIN_PERCENT) / 100.0);
        int down = clamp(spared, min, max);
        if (down < app.replicas() && meetsLatencyTargets(spec, app.metrics())) {
            return Optional.of(new ScaleDecision(
                    app.app(),
                    down,
                    basis + ": with " + DOWN_MARGIN_PERCENT + "% to spare, ceil(" + format(busy) + " x "
                            + format(1 + DOWN_MARGIN_PERCENT / 100.0) + " / (" + demand.slotsPerReplica() + " x "
                            + format(plan.utilization()) + ")) = " + spared + bounded(spared, down, min, max)));
        }
        return Optional.empty();
    }

    /**
     * The utilization to plan for: the configured one, lowered by the app's latency targets. A target that would need
     * less than {@link #MIN_UTILIZATION} is out of reach of more replicas (the app's own time alone nearly misses it):
     * it is left out of the plan, and said so, rather than bought with idle replicas.
     */
    private Plan plan(AppSpec spec, double ownMs) {
        Plan plan = new Plan(utilization, "(scheduler.queue.utilization)");
        List<String> outOfReach = new ArrayList<>();
        for (Target target : Target.of(spec)) {
            // M/M/1: the percentile is (percentile over mean) x S / (1 - ρ). Counting only the app's own time, it
            // is at most the target T while ρ <= 1 - (percentile over mean) x S_own / T.
            double allowed = 1 - target.overMean() * ownMs / target.ms();
            String figures = format(target.overMean()) + " x " + format(ownMs) + " ms of own time";
            if (allowed < MIN_UTILIZATION) {
                outOfReach.add("the " + target.name() + " target of " + format(target.ms()) + " ms is within " + figures
                        + ", out of reach of more replicas");
            } else if (allowed < plan.utilization()) {
                plan = new Plan(
                        allowed,
                        "for the " + target.name() + " target of " + format(target.ms()) + " ms (1 - " + figures + " / "
                                + format(target.ms()) + " ms)");
            }
        }
        outOfReach.add(0, plan.why());
        return new Plan(plan.utilization(), String.join("; ", outOfReach));
    }

    /** Whether the window meets every latency target of the app; a window without a span misses none. */
    private static boolean meetsLatencyTargets(AppSpec spec, WindowMetrics window) {
        return window.spans() == 0
                || Target.of(spec).stream().noneMatch(target -> target.measured(window) > target.ms());
    }

    private static int clamp(int replicas, int min, int max) {
        return Math.max(min, Math.min(max, replicas));
    }

    /** What the bounds did to {@code computed}, in words; nothing when they left it alone. */
    private static String bounded(int computed, int decided, int min, int max) {
        if (decided < computed) {
            return ", held to max_replicas " + max;
        }
        return decided > computed ? ", raised to min_replicas " + min : "";
    }

    /** The smallest whole number of replicas at least {@code replicas}, forgiving the last bits of rounding. */
    private static int ceil(double replicas) {
        double rounded = Math.ceil(replicas - 1e-9);
        return rounded >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.max(0, rounded);
    }

    /** Whole numbers from 100 up, three significant digits below: {@code 410}, {@code 1.5}, {@code 0.25}. */
    static String format(double value) {
        if (!Double.isFinite(value) || Math.abs(value) >= 100) {
            return Double.isFinite(value) ? Long.toString(Math.round(value)) : String.valueOf(value);
        }
        return new BigDecimal(value)
                .round(new MathContext(3))
                .stripTrailingZeros()
                .toPlainString();
    }

    private static String percent(double fraction) {
        return Math.round(fraction * 100) + "%";
    }

    /**
     * What arrives and what each request costs.
     *
     * @param rate            requests per second to serve (λ)
     * @param serviceMs       the time a request keeps a slot busy (S)
     * @param ownMs           the part of it spent in the app itself, not waiting on the apps it calls
     * @param slotsPerReplica the requests one replica is given at once (c)
     * @param queued          the requests waiting now, included in {@code rate}
     * @param source          where the figures come from, in words
     */
    private record Demand(double rate, double serviceMs, double ownMs, int slotsPerReplica, int queued, String source) {

        /** The app's demand from the cluster's load figures, or else its span window; empty without usable figures. */
        static Optional<Demand> of(AppView app) {
            int slots = Math.max(
                    1,
                    app.load()
                            .map(LoadFigures::limitPerReplica)
                            .orElse(app.spec().effectiveConcurrency().orElse(1)));
            if (app.load().isPresent()) {
                LoadFigures load = app.load().get();
                double arrivals = load.arrivalRate(LOAD_SECONDS);
                double serviceMs = load.serviceMs(LOAD_SECONDS);
                boolean idle = arrivals == 0 && load.queued() == 0;
                // When requests arrived but none completed, these figures hold no service time; the spans may.
                if (!load.last(LOAD_SECONDS).isEmpty() && (serviceMs > 0 || idle)) {
                    // A thread that waits on another app holds its slot, so S is the whole time at the replica;
                    // but only the app's own part of it (self time, from the spans) is what its replicas shorten.
                    WindowMetrics window = app.metrics();
                    boolean self = window.spans() > 0 && window.selfMs() >= 0 && window.selfMs() < serviceMs;
                    return usable(new Demand(
                            arrivals + load.queued() / DRAIN_SECONDS,
                            serviceMs,
                            self ? window.selfMs() : serviceMs,
                            slots,
                            load.queued(),
                            "the cluster's figures of the last "
                                    + load.last(LOAD_SECONDS).size() + " s"));
                }
            }
            WindowMetrics window = app.metrics();
            if (window.spans() > 0) {
                return usable(new Demand(
                        window.rate(),
                        window.selfMs(),
                        window.selfMs(),
                        slots,
                        0,
                        "the spans of the last " + format(window.windowSeconds()) + " s, self time"));
            }
            return Optional.empty();
        }

        /** Figures the model can use: numbers, none negative. The records allow anything; a view may hold anything. */
        private static Optional<Demand> usable(Demand demand) {
            boolean usable = Double.isFinite(demand.rate())
                    && Double.isFinite(demand.serviceMs())
                    && Double.isFinite(demand.rate() * demand.serviceMs())
                    && demand.rate() >= 0
                    && demand.serviceMs() >= 0
                    && demand.ownMs() >= 0;
            return usable ? Optional.of(demand) : Optional.empty();
        }

        /** {@code 36 rps x 50 ms = 1.8 requests in service (Little's law, from ...)} */
        String describe(double busy) {
            return format(rate) + " rps"
                    + (queued > 0 ? " (with " + queued + " waiting, cleared in " + format(DRAIN_SECONDS) + " s)" : "")
                    + " x "
                    + format(serviceMs) + " ms = " + format(busy) + " requests in service (Little's law, from "
                    + source + ")";
        }
    }

    /** The utilization planned for an app, and why, in words. */
    private record Plan(double utilization, String why) {}

    /**
     * One of the app's latency targets.
     *
     * @param name     {@code p95} or {@code p99}
     * @param ms       the target
     * @param overMean that percentile of an exponential time over its mean
     */
    private record Target(String name, double ms, double overMean) {

        /**
         * The app's {@code latency_p95_ms} and {@code latency_p99_ms} targets. The host checks targets before it
         * stores a spec; one that is still no positive number is passed over rather than failing the tick.
         */
        static List<Target> of(AppSpec spec) {
            return List.of(
                            target(spec, QualityMetric.LATENCY_P95_MS, "p95", P95_OVER_MEAN),
                            target(spec, QualityMetric.LATENCY_P99_MS, "p99", P99_OVER_MEAN))
                    .stream()
                    .flatMap(Optional::stream)
                    .toList();
        }

        private static Optional<Target> target(AppSpec spec, String metric, String name, double overMean) {
            return spec.qualityMetric(metric).flatMap(declared -> {
                try {
                    double ms = declared.target();
                    return ms > 0 && Double.isFinite(ms)
                            ? Optional.of(new Target(name, ms, overMean))
                            : Optional.empty();
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            });
        }

        /** The window's figure for this target. */
        double measured(WindowMetrics window) {
            return name.equals("p95") ? window.p95Ms() : window.p99Ms();
        }
    }
}
