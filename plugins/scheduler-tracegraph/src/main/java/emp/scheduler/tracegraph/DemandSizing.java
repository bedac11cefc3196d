package emp.scheduler.tracegraph;

import static emp.scheduler.tracegraph.Figures.ms;
import static emp.scheduler.tracegraph.Figures.number;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LoadSecond;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.EdgeMetrics;
import emp.spi.scheduler.ScaleDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sizes the apps whose requests the cluster measures exactly (the local cluster's gateway, see {@link LoadFigures})
 * from their demand and their capacity, never from a latency that includes queueing.
 *
 * <p><b>Demand</b> is what arrives: requests per second sent to the app, served or not, or what its callers' demand
 * would send it when that is more (a caller waiting on it holds the rest in its own line, see {@link Demand}), plus
 * what it takes to clear the requests waiting for it, here and in its callers' lines, within {@link #CLEAR_BACKLOG}. <b>Capacity</b> is what one replica completes per
 * second when it is saturated (requests wait for it in the gateway): learned from the seconds it was, the completions
 * per ready replica, averaged over seconds in which the ready count held. A saturated app whose capacity is not known
 * yet (its replicas became ready within {@link #FAST} seconds, or completed nothing) waits a tick. To scale down an
 * app never seen saturated, one replica is taken to carry {@code concurrency / service time} requests per second, at
 * the spec's {@code concurrency} or one request at a time (the safe guess).
 *
 * <p><b>Up.</b> An app is saturated when requests wait for it in the gateway now or waited through the last
 * {@link #FAST} seconds, or when its replicas have all the requests their limit allows. It then gets
 * {@code ceil(demand / (capacity x target-utilization))} replicas in one decision, its arrivals taken over the newest
 * second or the last {@link #FAST}, whichever is busier, once that demand passes {@link #UP_UTILIZATION} of the
 * replicas' capacity (a band above the target, so a load on the target does not flap): 36 requests a second, with 36 waiting, for a serial app that completes 20 a second at 50 ms each is
 * {@code ceil((36 + 3.6) / (20 x 0.7)) = 3}. A saturated app that calls another saturated app (by the call edges
 * seen in its spans or the {@code dependencies} of its spec) waits on it, and is left alone: the callee is scaled;
 * so is it for {@link #CLEAR_BACKLOG} after, while its own line clears, while the callee's service time is
 * {@link #SLOWED} times what it was before (its requests queue inside it before the gateway's line shows it), and
 * while the callee has fewer ready replicas than it asked for (one restarts or starts), and {@link #CLEAR_BACKLOG}
 * after.
 *
 * <p><b>Down.</b> An app not saturated for the last {@link LoadFigures#MAX_SECONDS} seconds (the stable window) goes,
 * in one decision, to what the busiest {@link #BLOCK} seconds of that window needed at target utilization; a window
 * not yet full, a count changed within it, or a count that only the window's oldest {@link #BLOCK} seconds hold up
 * (the load is leaving it; waiting those seconds goes down all the way in one step) waits. Bounds are the spec's ({@code min_replicas} of 0 counts as 1:
 * going to zero is the platform's idle rule, not a scheduler's).
 *
 * <p>Not thread-safe: its scheduler calls it under its own lock.
 */
final class DemandSizing {
    private static final Logger LOG = LoggerFactory.getLogger(DemandSizing.class);

    /** The seconds that show a saturation: a decision within two seconds of a step. */
    static final int FAST = 2;
    /** The queue is to be cleared within this, on top of the demand. */
    static final Duration CLEAR_BACKLOG = Duration.ofSeconds(10);
    /** The seconds averaged into one figure of the stable window, so that one busy second does not hold replicas. */
    static final int BLOCK = 5;
    /**
     * The share of its replicas' capacity a saturated app's demand must pass before it is scaled up: above the
     * target utilization, so that up and down are a band apart and a load that sits on the target does not flap.
     */
    static final double UP_UTILIZATION = 0.85;
    /** How much slower than before a dependency's recent service time makes it one its callers wait on. */
    static final double SLOWED = 1.5;
    /** The weight of a new saturated second in the capacity. */
    private static final double SMOOTHING = 0.3;

    private static final double EPSILON = 1e-9;

    private final double targetUtilization;
    private final Map<AppRef, State> states = new HashMap<>();

    DemandSizing(double targetUtilization) {
        this.targetUtilization = targetUtilization;
    }

    /** Keeps the state of {@code apps} only. */
    void retain(Set<AppRef> apps) {
        states.keySet().retainAll(apps);
    }

    /**
     * The decision for {@code app}, which has load figures, if it needs one.
     *
     * @param demand what it is asked to carry
     * @param apps   every app in the view, for its dependencies
     */
    Optional<ScaleDecision> decide(AppView app, Demand demand, Map<AppRef, AppView> apps, Instant now) {
        LoadFigures load = app.load().orElseThrow();
        State state = states.computeIfAbsent(app.app(), ref -> new State());
        state.seen(app, now);
        if (app.replicas() == 0) {
            // Stopped, or idle at zero: the platform wakes it; a scheduler does not.
            return Optional.empty();
        }
        if (!saturated(app)) {
            return scaleDown(app, load, state, now);
        }
        state.lastSaturated = now;
        if (strainedDependency(app, apps, now).isPresent()) {
            // It waits on its dependency: its completions say how fast that one is, not how fast it is.
            return Optional.empty();
        }
        state.learnCapacity(load, now);
        return scaleUp(app, demand, load, state);
    }

    /**
     * Whether the app is saturated: requests wait for it in the gateway now, or did through the last {@link #FAST}
     * seconds, or every ready replica has as many as its limit.
     */
    static boolean saturated(AppView app) {
        LoadFigures load = app.load().orElseThrow();
        List<LoadSecond> recent = load.last(FAST);
        return load.queued() > 0
                || (app.ready() > 0 && load.inFlight() >= app.ready() * load.limitPerReplica())
                || (recent.size() == FAST && recent.stream().allMatch(second -> second.meanQueued() >= 0.5));
    }

    private Optional<ScaleDecision> scaleUp(AppView app, Demand demand, LoadFigures load, State state) {
        double clearing = demand.backlog() / (double) CLEAR_BACKLOG.toSeconds();
        double needs = demand.rate(CLEAR_BACKLOG.toSeconds());
        if (state.capacity <= 0) {
            // Its replicas became ready too recently, or completed nothing yet (a cold start): the next tick knows.
            LOG.debug("'{}' is saturated; its capacity is not measured yet", app.app());
            return Optional.empty();
        }
        Capacity capacity = capacity(app, load, state);
        double exact = needs / (capacity.perReplica() * targetUtilization);
        int replicas = bounded(app.spec(), exact);
        if (replicas <= app.replicas()) {
            return Optional.empty();
        }
        if (needs < app.replicas() * capacity.perReplica() * UP_UTILIZATION) {
            // Its replicas hit their limit in a burst, but carry the demand below the band: one more replica now
            // would be taken away at the next scale-down, and the count would flap around the target.
            LOG.debug(
                    "'{}' touched its limit but its {} replicas carry {} rps under {} of their capacity",
                    app.app(),
                    app.replicas(),
                    needs,
                    UP_UTILIZATION);
            return Optional.empty();
        }
        StringBuilder reason = new StringBuilder();
        if (load.queued() > 0) {
            reason.append(load.queued())
                    .append(load.queued() == 1 ? " request waits" : " requests wait")
                    .append(" in the gateway (the oldest ")
                    .append(ms(load.oldestQueuedMs()))
                    .append(" ms)");
        } else {
            reason.append("its replicas have all the ").append(load.inFlight()).append(" requests their limit allows");
        }
        reason.append("; demand ").append(demand.describe(app.app()));
        if (demand.backlog() > 0) {
            reason.append(" + ")
                    .append(number(clearing, 1))
                    .append(" rps to clear the ")
                    .append(number(demand.backlog(), 0))
                    .append(" waiting")
                    .append(demand.through().isEmpty() ? "" : " here and in its callers' lines")
                    .append(" in ")
                    .append(CLEAR_BACKLOG.toSeconds())
                    .append(" s");
        }
        reason.append(", ");
        sizing(reason, needs, capacity, exact);
        bounds(reason, app.spec(), exact);
        reason.append("; ").append(app.replicas()).append(" -> ").append(replicas);
        return Optional.of(new ScaleDecision(app.app(), replicas, reason.toString()));
    }

    private Optional<ScaleDecision> scaleDown(AppView app, LoadFigures load, State state, Instant now) {
        List<LoadSecond> window = load.seconds();
        Duration stable = Duration.ofSeconds(LoadFigures.MAX_SECONDS);
        if (window.size() < LoadFigures.MAX_SECONDS
                || (state.lastSaturated != null && state.lastSaturated.isAfter(now.minus(stable)))
                || state.replicasSince.isAfter(now.minus(stable))) {
            return Optional.empty();
        }
        double oldest = 0;
        double peak = 0;
        double peakOfTheRest = 0;
        for (int start = 0; start + BLOCK <= window.size(); start += BLOCK) {
            double arrivals = 0;
            for (LoadSecond second : window.subList(start, start + BLOCK)) {
                arrivals += second.arrivals();
            }
            double rate = arrivals / BLOCK;
            if (start == 0) {
                oldest = rate;
            } else {
                peakOfTheRest = Math.max(peakOfTheRest, rate);
            }
            peak = Math.max(peak, rate);
        }
        Capacity capacity = capacity(app, load, state);
        double exact = peak / (capacity.perReplica() * targetUtilization);
        int replicas = bounded(app.spec(), exact);
        if (replicas >= app.replicas()) {
            return Optional.empty();
        }
        if (replicas > bounded(app.spec(), peakOfTheRest / (capacity.perReplica() * targetUtilization))) {
            // Only the window's oldest seconds, from before the load fell, hold this count up: in a few seconds the
            // window holds none of them, and one step goes all the way down.
            LOG.debug("'{}' waits {} s for its busier past ({} rps) to leave the window", app.app(), BLOCK, oldest);
            return Optional.empty();
        }
        StringBuilder reason = new StringBuilder()
                .append("it kept up for ")
                .append(LoadFigures.MAX_SECONDS)
                .append(" s (no request waited in the gateway, its replicas below their limit); the busiest ")
                .append(BLOCK)
                .append(" s of them had ")
                .append(number(peak, 1))
                .append(" rps, ");
        sizing(reason, peak, capacity, exact);
        bounds(reason, app.spec(), exact);
        reason.append("; ")
                .append(app.replicas())
                .append(" -> ")
                .append(replicas)
                .append(" in one step");
        return Optional.of(new ScaleDecision(app.app(), replicas, reason.toString()));
    }

    /**
     * A dependency of {@code app}, by the call edges or the spec, that its requests wait on: one saturated too, or
     * {@link #slowedDown slowed down}, or short of ready replicas (one restarts, or starts), now or within
     * {@link #CLEAR_BACKLOG}: a caller's own line takes that long to clear once its dependency keeps up again.
     */
    private Optional<AppRef> strainedDependency(AppView app, Map<AppRef, AppView> apps, Instant now) {
        Instant recently = now.minus(CLEAR_BACKLOG);
        return callees(app).stream()
                .sorted(Comparator.comparing(AppRef::toString))
                .filter(callee -> {
                    AppView view = apps.get(callee);
                    State remembered = states.get(callee);
                    return view != null
                            && view.load().isPresent()
                            && (saturated(view)
                                    || slowedDown(view.load().get())
                                    || view.ready() < view.replicas()
                                    || (remembered != null && remembered.strainedSince(recently)));
                })
                .findFirst();
    }

    /**
     * Whether the app's service time over the last {@link #FAST} seconds is {@link #SLOWED} times or more what it was
     * over the rest of the window: requests queue inside its replicas before the gateway's line shows it (a learned
     * limit takes a second or two to fall), or it became costlier. Its callers wait on it either way.
     */
    static boolean slowedDown(LoadFigures load) {
        List<LoadSecond> seconds = load.seconds();
        if (seconds.size() <= FAST) {
            return false;
        }
        double before = 0;
        long completed = 0;
        for (LoadSecond second : seconds.subList(0, seconds.size() - FAST)) {
            before += second.serviceMs() * second.completions();
            completed += second.completions();
        }
        double recent = load.serviceMs(FAST);
        return completed > 0 && recent > 0 && recent >= SLOWED * (before / completed);
    }

    /** The apps {@code app} calls: by its call edges and by its spec's dependencies. */
    private static Set<AppRef> callees(AppView app) {
        Set<AppRef> callees = new HashSet<>();
        for (EdgeMetrics edge : app.edges()) {
            callees.add(edge.to());
        }
        for (String dependency : app.spec().dependencies()) {
            callees.add(new AppRef(app.app().owner(), dependency));
        }
        callees.remove(app.app());
        return callees;
    }

    /** What one replica carries a second: learned while saturated, or from its concurrency and service time. */
    private static Capacity capacity(AppView app, LoadFigures load, State state) {
        if (state.capacity > 0) {
            return new Capacity(
                    state.capacity,
                    "capacity " + number(state.capacity, 1) + " rps per replica as measured while saturated");
        }
        double serviceMs = load.serviceMs(LoadFigures.MAX_SECONDS);
        int concurrency = app.spec().effectiveConcurrency().orElse(1);
        double perReplica = serviceMs > 0 ? concurrency * 1000 / serviceMs : Double.POSITIVE_INFINITY;
        if (!Double.isFinite(perReplica)) {
            // Nothing completed in a minute: no figure to size by but what arrives, one replica each.
            return new Capacity(1, "nothing completed in the last minute, so 1 rps per replica");
        }
        return new Capacity(
                perReplica,
                "no capacity measured yet, so " + concurrency + " at a time at " + ms(serviceMs) + " ms each = "
                        + number(perReplica, 1) + " rps per replica");
    }

    /** {@code <capacity>: ceil(demand / (capacity x utilization)) = N replicas}, the sum a decision rests on. */
    private void sizing(StringBuilder reason, double demand, Capacity capacity, double exact) {
        int needed = needed(exact);
        reason.append(capacity.description())
                .append(": ceil(")
                .append(number(demand, 1))
                .append(" / (")
                .append(number(capacity.perReplica(), 1))
                .append(" x ")
                .append(number(targetUtilization, 2))
                .append(")) = ")
                .append(needed)
                .append(needed == 1 ? " replica" : " replicas");
    }

    private static int needed(double exact) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(exact - EPSILON)));
    }

    private static int bounded(AppSpec spec, double exact) {
        return Math.min(spec.effectiveMaxReplicas(), Math.max(Math.max(1, spec.effectiveMinReplicas()), needed(exact)));
    }

    private static void bounds(StringBuilder reason, AppSpec spec, double exact) {
        int needed = needed(exact);
        if (needed > spec.effectiveMaxReplicas()) {
            reason.append(", capped at max ").append(spec.effectiveMaxReplicas());
        } else if (needed < spec.effectiveMinReplicas()) {
            reason.append(", raised to min ").append(spec.effectiveMinReplicas());
        }
    }

    private record Capacity(double perReplica, String description) {}

    /** What is remembered of one app between ticks. */
    private static final class State {
        double capacity;
        Instant lastSaturated;
        /** When it last had fewer ready replicas than it asked for; null when never seen so. */
        Instant lastShort;
        /** The counts of the last view, and since when they held; unknown (-1) and of old before the first view. */
        int replicas = -1;

        int ready = -1;
        Instant replicasSince = Instant.MIN;
        Instant readySince = Instant.MIN;

        /** Whether it was saturated or short of ready replicas after {@code time}. */
        boolean strainedSince(Instant time) {
            return (lastSaturated != null && lastSaturated.isAfter(time))
                    || (lastShort != null && lastShort.isAfter(time));
        }

        void seen(AppView app, Instant now) {
            if (app.ready() < app.replicas()) {
                lastShort = now;
            }
            if (app.replicas() != replicas) {
                replicasSince = replicas < 0 ? Instant.MIN : now;
                replicas = app.replicas();
            }
            if (app.ready() != ready) {
                readySince = ready < 0 ? Instant.MIN : now;
                ready = app.ready();
            }
        }

        /** Completions per ready replica over the last seconds, while the ready count held for all of them. */
        void learnCapacity(LoadFigures load, Instant now) {
            if (ready <= 0
                    || readySince.isAfter(now.minusSeconds(FAST))
                    || load.seconds().size() < FAST) {
                return;
            }
            double perReplica = load.completionRate(FAST) / ready;
            if (perReplica <= 0) {
                return;
            }
            capacity = capacity == 0 ? perReplica : capacity + SMOOTHING * (perReplica - capacity);
        }
    }
}
