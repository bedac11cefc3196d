package emp.bench.autoscale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
        out.append(
                "The aggregator's p95 target is 200 ms (examples/songs/stack.json). A second is in violation when the"
                        + " p95 of the requests meant to leave in it (open loop, latency from the intended send time) is over"
                        + " the target or more than 1 % of them failed. Replica-seconds: every app's desired replicas, summed"
                        + " over the measured seconds. Recovery: from the change to the first of "
                        + RunSummary.STABLE_SECONDS + " seconds in a row without violation (— : not within the run)."
                        + " Scaled: each app's replica counts in order, from its event log.\n\n");
        out.append("| scenario | policy | s in violation | replica-s | p50 ms | p95 ms | p99 ms | errors | recovery"
                + " | apps scaled |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Map.Entry<String, List<RunData>> scenario : runs.entrySet()) {
            for (RunData run : scenario.getValue()) {
                RunSummary s = RunSummary.of(run);
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %d / %d | %.0f | %.0f | %.0f | %.0f | %d / %d | %s | %s |\n",
                        s.scenario(),
                        s.policy(),
                        s.violationSeconds(),
                        s.measuredSeconds(),
                        s.replicaSeconds(),
                        s.p50Ms(),
                        s.p95Ms(),
                        s.p99Ms(),
                        s.errors(),
                        s.sent(),
                        s.recoverySeconds().isPresent() ? s.recoverySeconds().getAsInt() + " s" : "—",
                        s.scaled()));
            }
        }
        out.append("\nScenarios:\n\n");
        Map<String, String> described = new LinkedHashMap<>();
        runs.forEach((scenario, list) -> described.put(scenario, list.get(0).description()));
        described.forEach((scenario, description) -> out.append("- `")
                .append(scenario)
                .append("`: ")
                .append(description)
                .append("; plot `bench/autoscale/results/")
                .append(scenario)
                .append(".png`\n"));
        if (!skipped.isEmpty()) {
            out.append("\nNot run: ").append(String.join("; ", skipped)).append(".\n");
        }
        return out.toString();
    }

    static void csv(Map<String, List<RunData>> runs, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(
                "scenario,policy,violation_s,measured_s,replica_s,p50_ms,p95_ms,p99_ms,sent,errors,recovery_s,scaled");
        for (List<RunData> list : runs.values()) {
            for (RunData run : list) {
                RunSummary s = RunSummary.of(run);
                lines.add(String.format(
                        Locale.ROOT,
                        "%s,%s,%d,%d,%.0f,%.1f,%.1f,%.1f,%d,%d,%s,\"%s\"",
                        s.scenario(),
                        s.policy(),
                        s.violationSeconds(),
                        s.measuredSeconds(),
                        s.replicaSeconds(),
                        s.p50Ms(),
                        s.p95Ms(),
                        s.p99Ms(),
                        s.sent(),
                        s.errors(),
                        s.recoverySeconds().isPresent()
                                ? Integer.toString(s.recoverySeconds().getAsInt())
                                : "",
                        s.scaled()));
            }
        }
        Files.write(file, lines);
    }
}
