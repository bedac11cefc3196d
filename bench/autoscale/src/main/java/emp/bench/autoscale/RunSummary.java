package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of one run, over its measured seconds (0 to length, the warm-up excluded).
 *
 * <ul>
 *   <li>A second is in violation when the p95 of the requests meant to leave in it (from the entry app, as the load
 *       generator measured them) is over the entry app's target, or when more than 1 % of them failed (a fast error
 *       must not pass for a fast answer).
 *   <li>Replica-seconds add up every app's ready replicas, second by second (what the machine ran).
 *   <li>Recovery is the time from the step to the first of {@link #STABLE_SECONDS} seconds in a row without
 *       violation, all before the drop (a p95 that only comes back because the load went away was not recovered);
 *       empty when that never happened.
 *   <li>Back to base is the time from the drop to the first second in which the bottleneck app is at or below the
 *       replicas the base load needs, both the ones asked for and the ones ready; empty when that never happened
 *       within the run. Not applicable ({@code hasDrop} false) to a scenario without a drop.
 * </ul>
 *
 * @param failed  requests that failed (an answer of 400 or more, or none within the timeout), of {@code sent}
 * @param scaled  the apps whose replicas changed, each with the most replicas it was scaled to, e.g.
 *                {@code songs (max 5), aggregator (max 2)}
 */
public record RunSummary(
        String scenario,
        String policy,
        int violationSeconds,
        int measuredSeconds,
        double replicaSeconds,
        double p50Ms,
        double p95Ms,
        double p99Ms,
        long sent,
        long failed,
        OptionalInt recoverySeconds,
        boolean hasDrop,
        OptionalInt backToBaseSeconds,
        String scaled) {
    /** How long the p95 must stay within its target to count as recovered. */
    public static final int STABLE_SECONDS = 5;

    private static final Pattern SCALED = Pattern.compile("scaled (\\S+) (\\d+) -> (\\d+)");

    public RunSummary {
        requireNonNull(scenario, "scenario is null");
        requireNonNull(policy, "policy is null");
        requireNonNull(recoverySeconds, "recoverySeconds is null");
        requireNonNull(backToBaseSeconds, "backToBaseSeconds is null");
        requireNonNull(scaled, "scaled is null");
    }

    /** The failed requests in percent of those sent (0 when none were sent). */
    public double failedPercent() {
        return sent == 0 ? 0 : 100.0 * failed / sent;
    }

    public static RunSummary of(RunData run) {
        boolean[] violated = new boolean[run.length()];
        long sent = 0;
        long failed = 0;
        for (LoadRow row : run.load()) {
            if (row.second() < 0 || row.second() >= run.length()) {
                continue;
            }
            sent += row.sent();
            failed += row.errors();
            violated[row.second()] = violates(row, run.targetMs());
        }
        int violations = 0;
        for (boolean second : violated) {
            violations += second ? 1 : 0;
        }
        boolean hasDrop = !Double.isNaN(run.dropAt());
        int change = (int) Math.ceil(run.changeAt());
        int drop = hasDrop ? (int) Math.ceil(run.dropAt()) : run.length();
        return new RunSummary(
                run.scenario(),
                run.policy(),
                violations,
                run.length(),
                replicaSeconds(run.apps(), run.length()),
                run.overall().getValueAtPercentile(50) / 1000.0,
                run.overall().getValueAtPercentile(95) / 1000.0,
                run.overall().getValueAtPercentile(99) / 1000.0,
                sent,
                failed,
                recovery(violated, change, drop),
                hasDrop,
                hasDrop
                        ? backToBase(run.apps(), run.bottleneck(), drop, run.baseReplicas(), run.length())
                        : OptionalInt.empty(),
                scaled(run.events()));
    }

    static boolean violates(LoadRow row, double targetMs) {
        if (row.sent() == 0) {
            return false;
        }
        return Double.isNaN(row.p95Ms()) || row.p95Ms() > targetMs || row.errors() > 0.01 * row.sent();
    }

    /**
     * Seconds from {@code change} to the start of the first run of {@link #STABLE_SECONDS} seconds without violation
     * that ends before {@code end} (the drop, or the end of the run).
     */
    static OptionalInt recovery(boolean[] violated, int change, int end) {
        int good = 0;
        for (int second = change; second < Math.min(end, violated.length); second++) {
            good = violated[second] ? 0 : good + 1;
            if (good == STABLE_SECONDS) {
                return OptionalInt.of(second - STABLE_SECONDS + 1 - change);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Seconds from {@code drop} to the first second before {@code length} in which {@code app}'s latest sample has
     * both its desired and its ready replicas at or below {@code baseReplicas}.
     */
    static OptionalInt backToBase(List<AppSample> samples, String app, int drop, int baseReplicas, int length) {
        List<AppSample> own = samples.stream()
                .filter(sample -> sample.app().equals(app))
                .sorted(Comparator.comparingInt(AppSample::second))
                .toList();
        AppSample latest = null;
        int next = 0;
        for (int second = drop; second < length; second++) {
            while (next < own.size() && own.get(next).second() <= second) {
                latest = own.get(next++);
            }
            if (latest != null && latest.desired() <= baseReplicas && latest.ready() <= baseReplicas) {
                return OptionalInt.of(second - drop);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Every app's ready replicas, summed over seconds 0 to {@code length}; an app missing from a second's samples
     * counts with its latest count before it (from the warm-up too).
     */
    static double replicaSeconds(List<AppSample> samples, int length) {
        Map<Integer, Map<String, Integer>> bySecond = new HashMap<>();
        Map<String, Integer> last = new HashMap<>();
        List<AppSample> sorted = samples.stream()
                .sorted(Comparator.comparingInt(AppSample::second))
                .toList();
        for (AppSample sample : sorted) {
            if (sample.second() < 0) {
                last.put(sample.app(), sample.ready());
            } else {
                bySecond.computeIfAbsent(sample.second(), second -> new HashMap<>())
                        .put(sample.app(), sample.ready());
            }
        }
        double total = 0;
        for (int second = 0; second < length; second++) {
            last.putAll(bySecond.getOrDefault(second, Map.of()));
            for (int replicas : last.values()) {
                total += replicas;
            }
        }
        return total;
    }

    /**
     * From the event log: {@code songs (max 4), aggregator (max 2)}, in the order the apps were first scaled, each
     * with the most replicas it was scaled to; {@code none} when no app was scaled.
     */
    static String scaled(List<ScaleEvent> events) {
        Map<String, Integer> most = new LinkedHashMap<>();
        for (ScaleEvent event : events) {
            if (!"scale".equals(event.type())) {
                continue;
            }
            Matcher matcher = SCALED.matcher(event.message());
            if (matcher.find()) {
                int replicas = Math.max(Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3)));
                most.merge(matcher.group(1), replicas, Math::max);
            }
        }
        if (most.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        most.forEach((app, replicas) -> parts.add(app + " (max " + replicas + ")"));
        return String.join(", ", parts);
    }
}
