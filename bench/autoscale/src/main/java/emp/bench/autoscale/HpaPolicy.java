package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes Horizontal Pod Autoscaler's algorithm (autoscaling/v2 with its default behaviour), on one metric per
 * app: {@code desired = ceil(current * metric / target)}, no change while the ratio is within the tolerance of 1,
 * scale-up limited to the larger of doubling and four more per period, scale-down to the highest recommendation of
 * the stabilization window, all within the app's min and max replicas. Each app is judged alone; an app without a
 * measurement is left as it is, as the HPA does with missing metrics. Not thread-safe: one controller calls it.
 *
 * @see <a href="https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/">Horizontal Pod
 *     Autoscaling</a>
 */
public final class HpaPolicy {
    private final double tolerance;
    private final Duration downStabilization;
    private final Map<String, Deque<Recommendation>> history = new HashMap<>();

    private record Recommendation(Instant at, int replicas) {}

    /**
     * @param tolerance          the HPA's {@code --horizontal-pod-autoscaler-tolerance} (0.1)
     * @param downStabilization  the scale-down stabilization window (5 minutes)
     */
    public HpaPolicy(double tolerance, Duration downStabilization) {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be 0 or more: " + tolerance);
        }
        this.tolerance = tolerance;
        this.downStabilization = requireNonNull(downStabilization, "downStabilization is null");
    }

    /**
     * One app as the controller sees it.
     *
     * @param current the replicas it has now (the scale's desired count)
     * @param metric  the measured value, e.g. p95 in ms; NaN when there is none
     * @param target  the target value of the same metric
     */
    public record Input(String app, int current, int min, int max, double metric, double target) {
        public Input {
            requireNonNull(app, "app is null");
            if (current < 0 || min < 0 || max < min || !(target > 0)) {
                throw new IllegalArgumentException("app '" + app + "': replicas " + current + " in " + min + ".." + max
                        + " with target " + target + " make no sense");
            }
        }
    }

    /** A change of replicas, with the arithmetic that led to it. */
    public record Decision(String app, int from, int to, String reason) {}

    /** What the HPA would set {@code input.app()} to at {@code now}, if anything changes. */
    public Optional<Decision> decide(Input input, Instant now) {
        if (Double.isNaN(input.metric()) || input.current() == 0) {
            return Optional.empty();
        }
        double ratio = input.metric() / input.target();
        int recommended;
        String arithmetic;
        if (Math.abs(ratio - 1) <= tolerance) {
            recommended = input.current();
            arithmetic = String.format("ratio %.2f within the %.0f%% tolerance", ratio, tolerance * 100);
        } else {
            recommended = (int) Math.ceil(input.current() * ratio);
            arithmetic = String.format("ceil(%d x %.2f) = %d", input.current(), ratio, recommended);
        }
        // Scale-up policies by default: 100 % or 4 pods per period, whichever allows more.
        int upLimit = Math.max(2 * input.current(), input.current() + 4);
        if (recommended > upLimit) {
            arithmetic += ", at most " + upLimit + " this period";
            recommended = upLimit;
        }
        Deque<Recommendation> window = history.computeIfAbsent(input.app(), app -> new ArrayDeque<>());
        window.addLast(new Recommendation(now, recommended));
        while (!window.isEmpty() && window.peekFirst().at().isBefore(now.minus(downStabilization))) {
            window.removeFirst();
        }
        int downRecommendation =
                window.stream().mapToInt(Recommendation::replicas).max().orElse(recommended);
        int desired = input.current();
        if (recommended > desired) {
            desired = recommended;
        } else if (downRecommendation < desired) {
            desired = downRecommendation;
        }
        if (desired < input.current() && downRecommendation > recommended) {
            arithmetic += ", held at " + downRecommendation + " by the " + downStabilization.toSeconds()
                    + " s stabilization window";
        }
        int bounded = Math.max(input.min(), Math.min(input.max(), desired));
        if (bounded != desired) {
            arithmetic += ", held to " + input.min() + ".." + input.max();
        }
        if (bounded == input.current()) {
            return Optional.empty();
        }
        return Optional.of(new Decision(
                input.app(),
                input.current(),
                bounded,
                String.format("hpa: p95 %.0f ms vs target %.0f ms; %s", input.metric(), input.target(), arithmetic)));
    }
}
