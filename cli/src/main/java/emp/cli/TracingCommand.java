package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code emp tracing ID} (REQ-14): {@code GET /v1/apps/{id}/tracing}, what the platform read from the app's traces
 * over its window: rate, errors, latency percentiles, self time, and the app's calls to other apps.
 */
@Command(
        name = "tracing",
        description = "Shows what the app's traces say: rate, errors, latency, self time, calls to other apps.")
final class TracingCommand extends EmpCommand {
    @Parameters(paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode tracing = server.client(context, true).get("/v1/apps/" + EmpClient.segment(id) + "/tracing");
        if (output.json()) {
            OutputOptions.printJson(context, tracing);
            return 0;
        }
        PrintWriter out = context.out();
        out.println(
                tracing.path("app").asText(id) + ": " + tracing.path("spans").asLong() + " requests in the last "
                        + number(tracing.path("window_seconds").asDouble()) + " s"
                        + sampling(tracing.path("sampling").asDouble(1)));
        Table figures = new Table("RATE", "ERRORS", "P50", "P95", "P99", "SELF", "IN FLIGHT");
        figures.row(
                number(tracing.path("rate").asDouble()) + "/s",
                percent(tracing.path("error_rate").asDouble()),
                millis(tracing.path("p50_ms").asDouble()),
                millis(tracing.path("p95_ms").asDouble()),
                millis(tracing.path("p99_ms").asDouble()),
                millis(tracing.path("self_ms").asDouble()),
                number(tracing.path("concurrency").asDouble()));
        figures.print(out);
        JsonNode edges = tracing.path("edges");
        if (edges.isArray() && !edges.isEmpty()) {
            out.println();
            Table calls = new Table("CALLS TO", "RATE", "ERRORS", "P95");
            for (JsonNode edge : edges) {
                calls.row(
                        edge.path("to").asText(),
                        number(edge.path("rate").asDouble()) + "/s",
                        percent(edge.path("error_rate").asDouble()),
                        millis(edge.path("p95_ms").asDouble()));
            }
            calls.print(out);
        }
        if (tracing.hasNonNull("trace_url")) {
            out.println();
            out.println("Traces: " + tracing.path("trace_url").asText());
        }
        return 0;
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String millis(double value) {
        return String.format(Locale.ROOT, "%.1f ms", value);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    /** Nothing while every trace is read; else how many, as the server is behind and the figures are scaled. */
    static String sampling(double fraction) {
        if (fraction >= 1 || fraction <= 0) {
            return "";
        }
        return " (reading 1 trace in " + Math.round(1 / fraction) + ": the server is behind on traces, figures scaled)";
    }
}
