package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code emp update-metrics ID METRIC VALUES}: {@code PUT /v1/apps/{id}/quality-metrics/{metric}}. */
@Command(
        name = "update-metrics",
        aliases = "update_metrics",
        description = "Sets one of an app's quality targets, e.g. 'emp update-metrics songs latency_p95_ms 200'.")
final class UpdateMetricsCommand extends EmpCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Parameters(
            index = "1",
            paramLabel = "METRIC",
            description = "latency_p95_ms, latency_p99_ms, throughput_rps, availability or error_rate.")
    String metric;

    @Parameters(index = "2", paramLabel = "VALUES", description = "The target, e.g. 200 or 99.9.")
    String values;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        String body = Json.compact(Json.MAPPER.createObjectNode().put("values", values));
        JsonNode app = server.client(context, true)
                .put("/v1/apps/" + EmpClient.segment(id) + "/quality-metrics/" + EmpClient.segment(metric), body);
        if (output.json()) {
            OutputOptions.printJson(context, app);
        } else {
            context.out().println(AppView.name(app) + ": " + metric + " target set to " + values + ".");
        }
        return 0;
    }
}
