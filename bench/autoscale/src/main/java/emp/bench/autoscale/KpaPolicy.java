package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Knative Pod Autoscaler's algorithm (the KPA of Knative Serving, {@code pkg/autoscaler/scaling/autoscaler.go}),
 * on each app's observed concurrency (requests in flight and queued, summed over its replicas):
 *
 * <ul>
 *   <li>the target per replica is {@code targetPerReplica x targetUtilization};
 *   <li>the stable and the panic figures are the mean concurrency over the last {@code stableWindow} (60 s) and
 *       {@code panicWindow} (6 s); each wants {@code ceil(figure / target)} replicas;
 *   <li>both are kept within {@code [floor(ready / maxScaleDownRate), ceil(ready x maxScaleUpRate)]}, the most one
 *       decision may take away or add (ready: the app's ready replicas, at least 1);
 *   <li>the app enters panic mode when the panic window wants at least {@code panicThreshold} (200 %) times its ready
 *       replicas, and every decision that finds the condition again prolongs it; it leaves panic mode once the
 *       condition has not held for a stable window;
 *   <li>in panic mode the larger of the two figures is used and the app never scales down: it keeps the most replicas
 *       panic mode asked for; out of it, the stable figure;
 *   <li>then the app's {@code min_replicas} and {@code max_replicas}, as Knative's min-scale and max-scale.
 * </ul>
 *
 * An app with no observation in either window is left as it is, as the KPA does without metrics. Knative's
 * scale-to-zero and activator are not modelled: the apps' {@code min_replicas} is at least 1 here. Not thread-safe:
 * one controller calls it.
 *
 * @see <a href="https://knative.dev/docs/serving/autoscaling/kpa-specific/">Knative: KPA-specific settings</a>
 */
public final class KpaPolicy {
    private final Parameters parameters;
    private final Map<String, Panic> panics = new HashMap<>();

    /** Panic mode of one app: since when the condition last held, and the most replicas panic mode asked for. */
    private record Panic(Instant lastOverThreshold, int maxPanicReplicas) {}

    /**
     * The autoscaler's settings, named as in Knative's {@code config-autoscaler}.
     *
     * @param targetPerReplica  the concurrency one replica is meant to carry ({@code container-concurrency-target-default}
     *                          is 100, for threaded apps; this experiment's replicas serve about one request at a time,
     *                          so 1.0)
     * @param targetUtilization the share of that target the autoscaler aims at ({@code
     *                          container-concurrency-target-percentage}, 70 %)
     * @param stableWindow      {@code stable-window} (60 s)
     * @param panicWindow       the panic window: {@code panic-window-percentage} 10 % of the stable window (6 s)
     * @param panicThreshold    {@code panic-threshold-percentage} 200 %, as a ratio (2.0)
     * @param maxScaleUpRate    {@code max-scale-up-rate} (1000)
     * @param maxScaleDownRate  {@code max-scale-down-rate} (2)
     */
    public record Parameters(
            double targetPerReplica,
            double targetUtilization,
            Duration stableWindow,
            Duration panicWindow,
            double panicThreshold,
            double maxScaleUpRate,
            double maxScaleDownRate) {
        public Parameters {
            if (!(targetPerReplica > 0) || !(targetUtilization > 0) || targetUtilization > 1) {
                throw new IllegalArgumentException("the target per replica must be more than 0 and the utilization in"
                        + " (0, 1]: " + targetPerReplica + ", " + targetUtilization);
            }
            requireNonNull(stableWindow, "stableWindow is null");
            requireNonNull(panicWindow, "panicWindow is null");
            if (panicWindow.isNegative() || panicWindow.isZero() || panicWindow.compareTo(stableWindow) > 0) {
                throw new IllegalArgumentException("the panic window (" + panicWindow
                        + ") must be longer than 0 and no longer than the stable window (" + stableWindow + ")");
            }
            if (!(panicThreshold > 1) || !(maxScaleUpRate > 1) || !(maxScaleDownRate > 1)) {
                throw new IllegalArgumentException("the panic threshold and the scale-up and scale-down rates must be"
                        + " more than 1: " + panicThreshold + ", " + maxScaleUpRate + ", " + maxScaleDownRate);
            }
        }

        /** Knative's defaults, with a target per replica of 1.0 for this experiment's one-at-a-time replicas. */
        public static Parameters defaults() {
            return withTarget(1.0);
        }

        /** Knative's defaults with another target per replica (before the utilization). */
        public static Parameters withTarget(double targetPerReplica) {
            return new Parameters(targetPerReplica, 0.7, Duration.ofSeconds(60), Duration.ofSeconds(6), 2.0, 1000, 2);
        }

        /** The concurrency per replica the autoscaler aims at: the target times the utilization. */
        public double target() {
            return targetPerReplica * targetUtilization;
        }
    }

    /**
     * The app's concurrency at one moment: for a second of {@code GET /v1/apps/{id}/load}, its mean in flight plus
     * mean queued, at the end of that second.
     */
    public record Observation(Instant at, double concurrency) {
        public Observation {
            requireNonNull(at, "at is null");
            if (!(concurrency >= 0)) {
                throw new IllegalArgumentException("a concurrency of " + concurrency + " makes no sense");
            }
        }
    }

    /**
     * One app as the controller sees it.
     *
     * @param current      the replicas it has now (the scale's desired count)
     * @param ready        the replicas ready to serve, what Knative's rates and panic threshold count
     * @param observations its recent concurrency, in any order; those outside the stable window are ignored
     */
    public record Input(String app, int current, int ready, int min, int max, List<Observation> observations) {
        public Input {
            requireNonNull(app, "app is null");
            if (current < 0 || ready < 0 || min < 0 || max < min) {
                throw new IllegalArgumentException("app '" + app + "': replicas " + current + " (" + ready
                        + " ready) in " + min + ".." + max + " make no sense");
            }
            observations = List.copyOf(observations);
        }
    }

    /** A change of replicas, with the arithmetic that led to it. */
    public record Decision(String app, int from, int to, String reason) {}

    public KpaPolicy(Parameters parameters) {
        this.parameters = requireNonNull(parameters, "parameters is null");
    }

    public Parameters parameters() {
        return parameters;
    }

    /** Whether {@code app} was in panic mode after the last decision. */
    public boolean panicking(String app) {
        return panics.containsKey(app);
    }

    /** What the KPA would set {@code input.app()} to at {@code now}, if anything changes. */
    public Optional<Decision> decide(Input input, Instant now) {
        double stable = mean(input.observations(), now, parameters.stableWindow());
        double panic = mean(input.observations(), now, parameters.panicWindow());
        if (Double.isNaN(stable) || Double.isNaN(panic)) {
            return Optional.empty();
        }
        double target = parameters.target();
        int ready = Math.max(1, input.ready());
        int maxUp = (int) Math.ceil(parameters.maxScaleUpRate() * ready);
        int maxDown = (int) Math.floor(ready / parameters.maxScaleDownRate());
        int wantedStable = (int) Math.ceil(stable / target);
        int wantedPanic = (int) Math.ceil(panic / target);
        int desiredStable = clamp(wantedStable, maxDown, maxUp);
        int desiredPanic = clamp(wantedPanic, maxDown, maxUp);
        boolean overThreshold = (double) wantedPanic / ready >= parameters.panicThreshold();

        Panic state = panics.get(input.app());
        if (overThreshold) {
            // Enter panic mode, or prolong it: the condition holds now.
            state = new Panic(now, state == null ? 0 : state.maxPanicReplicas());
        } else if (state != null
                && state.lastOverThreshold().plus(parameters.stableWindow()).isBefore(now)) {
            // The surge has had a whole stable window to reach the stable figure.
            state = null;
        }
        StringBuilder arithmetic = new StringBuilder();
        int desired = desiredStable;
        if (state == null) {
            panics.remove(input.app());
            arithmetic.append(String.format("stable: ceil(%.2f / %.2f) = %d", stable, target, wantedStable));
        } else {
            arithmetic.append(String.format(
                    "panic (%s): ceil(%.2f / %.2f) = %d",
                    overThreshold
                            ? String.format(
                                    "%d >= %.0f%% of %d ready", wantedPanic, parameters.panicThreshold() * 100, ready)
                            : "the condition last held "
                                    + Duration.between(state.lastOverThreshold(), now)
                                            .toSeconds() + " s ago",
                    panic,
                    target,
                    wantedPanic));
            desired = Math.max(desiredStable, desiredPanic);
            if (desired > state.maxPanicReplicas()) {
                state = new Panic(state.lastOverThreshold(), desired);
            } else if (desired < state.maxPanicReplicas()) {
                desired = state.maxPanicReplicas();
                arithmetic.append(", held at ").append(desired).append(": no scale-down in panic mode");
            }
            panics.put(input.app(), state);
        }
        int wanted = state == null ? wantedStable : Math.max(wantedStable, wantedPanic);
        if (wanted > maxUp && desired == maxUp) {
            arithmetic.append(", at most ").append(maxUp).append(" this decision");
        } else if (wanted < maxDown && desired == maxDown) {
            arithmetic
                    .append(", at least ")
                    .append(maxDown)
                    .append(" this decision (")
                    .append(ready)
                    .append(" ready / ")
                    .append(String.format("%.0f", parameters.maxScaleDownRate()))
                    .append(")");
        }
        int bounded = clamp(desired, input.min(), input.max());
        if (bounded != desired) {
            arithmetic.append(", held to ").append(input.min()).append("..").append(input.max());
        }
        if (bounded == input.current()) {
            return Optional.empty();
        }
        return Optional.of(new Decision(
                input.app(),
                input.current(),
                bounded,
                String.format(
                        "kpa: concurrency %.2f over %d s, %.2f over %d s, target %.2f a replica; %s",
                        stable,
                        parameters.stableWindow().toSeconds(),
                        panic,
                        parameters.panicWindow().toSeconds(),
                        target,
                        arithmetic)));
    }

    /** The mean of the observations in {@code (now - window, now]}, or NaN when there is none. */
    static double mean(List<Observation> observations, Instant now, Duration window) {
        Instant from = now.minus(window);
        double sum = 0;
        int count = 0;
        for (Observation observation : observations) {
            if (observation.at().isAfter(from) && !observation.at().isAfter(now)) {
                sum += observation.concurrency();
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    private static int clamp(int value, int low, int high) {
        return Math.max(low, Math.min(high, value));
    }
}
