package emp.bench.autoscale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/** The experiment's table in markdown (for bench/RESULTS.md) and CSV, from the runs' summaries. */
final class Report {
    private Report() {}

    /**
     * @param runs     by scenario, the runs in policy order
     * @param skipped  runs not made, each with why
     * @param header   the date, machine and command lines that open the section
     */
    static String markdown(Map<String, List<RunData>> runs, List<String> skipped, List<String> header) {
        StringBuilder out = new StringBuilder();
        out.append("## Autoscaling experiment\n\n");
        for (String line : header) {
            out.append(line).append("\n");
        }
        out.append("\n");
        out.append("Every scenario steps up at the change, holds, and drops back to its base load (or cost); the"
                + " spike is a short step. A second is in violation when the p95 of the requests meant to leave in it"
                + " (open loop, latency from the intended send time, at the scenario's entry app) is over the entry"
                + " app's target or more than 1 % of them failed. Replica-s: every app's ready replicas, summed over"
                + " the measured seconds. Failed: requests answered 400 or more or not within 10 s. Recovery: from the"
                + " step to the first of " + RunSummary.STABLE_SECONDS + " seconds in a row without violation, before"
                + " the drop (never: not during the hold). Back to base: from the drop to the first second in which"
                + " the bottleneck app (below) asks for and has at most the replicas the base load needs (never: not"
                + " within the run; —: the scenario has no drop). Apps scaled: each app a policy scaled, with the most"
                + " replicas it was scaled to, from its event log.\n\n");
        out.append("| scenario | policy | s in violation | replica-s | failed | recovery | back to base | p50 ms"
                + " | p95 ms | p99 ms | apps scaled |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Map.Entry<String, List<RunData>> scenario : runs.entrySet()) {
            for (RunData run : scenario.getValue()) {
                RunSummary s = RunSummary.of(run);
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %d / %d | %.0f | %d (%s %%) | %s | %s | %.0f | %.0f | %.0f | %s |\n",
                        s.scenario(),
                        s.policy(),
                        s.violationSeconds(),
                        s.measuredSeconds(),
                        s.replicaSeconds(),
                        s.failed(),
                        percent(s.failedPercent()),
                        seconds(s.recoverySeconds(), " s", "never"),
                        s.hasDrop() ? seconds(s.backToBaseSeconds(), " s", "never") : "—",
                        s.p50Ms(),
                        s.p95Ms(),
                        s.p99Ms(),
                        s.scaled()));
            }
        }
        out.append("\nScenarios:\n\n");
        runs.forEach((scenario, list) -> {
            RunData first = list.get(0);
            out.append("- `").append(scenario).append("`: ").append(first.description());
            out.append(String.format(
                    Locale.ROOT, "; entry app %s (p95 target %.0f ms)", first.entryApp(), first.targetMs()));
            if (!Double.isNaN(first.dropAt())) {
                out.append(String.format(
                        Locale.ROOT,
                        "; change at %.0f s, drop at %.0f s, end at %d s; back to base: %s at %d replica%s or fewer",
                        first.changeAt(),
                        first.dropAt(),
                        first.length(),
                        first.bottleneck(),
                        first.baseReplicas(),
                        first.baseReplicas() == 1 ? "" : "s"));
            }
            out.append("; plot `bench/autoscale/results/").append(scenario).append(".png`\n");
        });
        if (!skipped.isEmpty()) {
            out.append("\nNot run: ").append(String.join("; ", skipped)).append(".\n");
        }
        return out.toString();
    }

    static void csv(Map<String, List<RunData>> runs, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("scenario,policy,violation_s,measured_s,replica_s,p50_ms,p95_ms,p99_ms,sent,failed,failed_pct,"
                + "recovery_s,back_to_base_s,scaled");
        for (List<RunData> list : runs.values()) {
            for (RunData run : list) {
                RunSummary s = RunSummary.of(run);
                lines.add(String.format(
                        Locale.ROOT,
                        "%s,%s,%d,%d,%.0f,%.1f,%.1f,%.1f,%d,%d,%.2f,%s,%s,\"%s\"",
                        s.scenario(),
                        s.policy(),
                        s.violationSeconds(),
                        s.measuredSeconds(),
                        s.replicaSeconds(),
                        s.p50Ms(),
                        s.p95Ms(),
                        s.p99Ms(),
                        s.sent(),
                        s.failed(),
                        s.failedPercent(),
                        seconds(s.recoverySeconds(), "", "never"),
                        s.hasDrop() ? seconds(s.backToBaseSeconds(), "", "never") : "n/a",
                        s.scaled()));
            }
        }
        Files.write(file, lines);
    }

    private static String seconds(OptionalInt value, String unit, String none) {
        return value.isPresent() ? value.getAsInt() + unit : none;
    }

    /** A share in percent with as many decimals as it takes to not show a failure as 0. */
    static String percent(double value) {
        if (value == 0) {
            return "0";
        }
        if (value < 0.01) {
            return "< 0.01";
        }
        return String.format(Locale.ROOT, value < 0.1 ? "%.2f" : value < 10 ? "%.1f" : "%.0f", value);
    }
}
