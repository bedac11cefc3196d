package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code emp load ID}: {@code GET /v1/apps/{id}/load}, the app's requests as the gateway counted them, exactly: what
 * waits and is in flight now, and per second what arrived, was answered, was refused, and the service time.
 */
@Command(
        name = "load",
        description = "Shows the app's requests as the gateway counts them: waiting, in flight, and per second what"
                + " arrived, was answered or refused.")
final class LoadCommand extends EmpCommand {
    @Parameters(paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Option(
            names = "--seconds",
            paramLabel = "N",
            defaultValue = "10",
            description = "How many of the last seconds to show, 1 to 60 (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        if (seconds < 1 || seconds > 60) {
            throw CliException.user("--seconds is " + seconds + "; give 1 to 60");
        }
        JsonNode load = server.client(context, true).get("/v1/apps/" + EmpClient.segment(id) + "/load");
        if (output.json()) {
            OutputOptions.printJson(context, load);
            return 0;
        }
        PrintWriter out = context.out();
        out.println(id + ": " + load.path("queued").asInt() + " waiting"
                + (load.path("queued").asInt() > 0
                        ? " (the oldest for "
                                + millis(load.path("oldest_queued_ms").asDouble()) + ")"
                        : "")
                + ", " + load.path("in_flight").asInt() + " in flight; at most "
                + load.path("limit_per_replica").asInt() + " at once per replica ("
                + (load.path("limit_learned").asBoolean() ? "learned" : "its concurrency") + ")");
        List<JsonNode> all = new ArrayList<>();
        load.path("seconds").forEach(all::add);
        List<JsonNode> shown = all.subList(Math.max(0, all.size() - seconds), all.size());
        Table table = new Table("SECOND", "ARRIVED", "ANSWERED", "REFUSED", "IN FLIGHT", "WAITING", "SERVICE");
        for (int i = 0; i < shown.size(); i++) {
            JsonNode second = shown.get(i);
            table.row(
                    String.valueOf(i - shown.size()),
                    String.valueOf(second.path("arrivals").asLong()),
                    String.valueOf(second.path("completions").asLong()),
                    String.valueOf(second.path("rejected").asLong()),
                    decimal(second.path("mean_in_flight").asDouble()),
                    decimal(second.path("mean_queued").asDouble()),
                    millis(second.path("service_ms").asDouble()));
        }
        table.print(out);
        return 0;
    }

    private static String decimal(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String millis(double value) {
        return String.format(Locale.ROOT, "%.1f ms", value);
    }
}
