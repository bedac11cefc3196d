package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of one run, over its measured seconds (0 to length).
 *
 * <p>A second is in violation when the p95 of the requests meant to leave in it is over the aggregator's target, or
 * when more than 1 % of them failed (a fast error must not pass for a fast answer). Recovery is the time from the
 * change to the first second from which no second is in violation for {@link #STABLE_SECONDS} seconds; empty when
 * that never happened within the run. Replica-seconds add up every app's desired replicas, second by second.
 *
 * @param scaled the apps whose replicas changed, each with its counts in order, e.g. {@code songs 1→3→5}
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
        long errors,
        OptionalInt recoverySeconds,
        String scaled) {
    /** How long the p95 must stay under its target to count as recovered. */
    public static final int STABLE_SECONDS = 10;

    private static final Pattern SCALED = Pattern.compile("scaled (\\S+) (\\d+) -> (\\d+)");

    public RunSummary {
        requireNonNull(scenario, "scenario is null");
        requireNonNull(policy, "policy is null");
        requireNonNull(recoverySeconds, "recoverySeconds is null");
        requireNonNull(scaled, "scaled is null");
    }

    public static RunSummary of(RunData run) {
        boolean[] violated = new boolean[run.length()];
        long sent = 0;
        long errors = 0;
        for (LoadRow row : run.load()) {
            if (row.second() < 0 || row.second() >= run.length()) {
                continue;
            }
            sent += row.sent();
            errors += row.errors();
            violated[row.second()] = violates(row, run.targetMs());
        }
        int violations = 0;
        for (boolean second : violated) {
            violations += second ? 1 : 0;
        }
        return new RunSummary(
                run.scenario(),
                run.policy(),
                violations,
                run.length(),
                replicaSeconds(run),
                run.overall().getValueAtPercentile(50) / 1000.0,
                run.overall().getValueAtPercentile(95) / 1000.0,
                run.overall().getValueAtPercentile(99) / 1000.0,
                sent,
                errors,
                recovery(violated, (int) Math.ceil(run.changeAt())),
                scaled(run.events()));
    }

    static boolean violates(LoadRow row, double targetMs) {
        if (row.sent() == 0) {
            return false;
        }
        return Double.isNaN(row.p95Ms()) || row.p95Ms() > targetMs || row.errors() > 0.01 * row.sent();
    }

    /** Seconds from {@code change} to the start of the first run of {@link #STABLE_SECONDS} good seconds. */
    static OptionalInt recovery(boolean[] violated, int change) {
        int good = 0;
        for (int second = change; second < violated.length; second++) {
            good = violated[second] ? 0 : good + 1;
            if (good == STABLE_SECONDS) {
                return OptionalInt.of(second - STABLE_SECONDS + 1 - change);
            }
        }
        return OptionalInt.empty();
    }

    private static double replicaSeconds(RunData run) {
        Map<Integer, Map<String, Integer>> bySecond = new HashMap<>();
        for (AppSample sample : run.apps()) {
            bySecond.computeIfAbsent(sample.second(), second -> new HashMap<>()).put(sample.app(), sample.desired());
        }
        Map<String, Integer> last = new HashMap<>();
        for (AppSample sample : run.apps()) {
            if (sample.second() < 0) {
                last.put(sample.app(), sample.desired());
            }
        }
        double total = 0;
        for (int second = 0; second < run.length(); second++) {
            last.putAll(bySecond.getOrDefault(second, Map.of()));
            for (int replicas : last.values()) {
                total += replicas;
            }
        }
        return total;
    }

    /** From the event log: {@code songs 1→2→4, aggregator 1→2}, in the order the apps were first scaled. */
    static String scaled(List<ScaleEvent> events) {
        Map<String, List<String>> chains = new LinkedHashMap<>();
        for (ScaleEvent event : events) {
            if (!"scale".equals(event.type())) {
                continue;
            }
            Matcher matcher = SCALED.matcher(event.message());
            if (matcher.find()) {
                List<String> chain = chains.computeIfAbsent(matcher.group(1), app -> new ArrayList<>());
                if (chain.isEmpty()) {
                    chain.add(matcher.group(2));
                }
                chain.add(matcher.group(3));
            }
        }
        if (chains.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        chains.forEach((app, chain) -> parts.add(app + " " + String.join("→", chain)));
        return String.join(", ", parts);
    }
}
