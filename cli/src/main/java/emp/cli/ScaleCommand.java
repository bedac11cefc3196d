package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code emp scale ID N}: {@code PUT /v1/apps/{id}/replicas}. */
@Command(name = "scale", description = "Sets how many replicas an app runs.")
final class ScaleCommand extends EmpCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Parameters(index = "1", paramLabel = "N", description = "The number of replicas (0 or more).")
    int replicas;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the app's event log.")
    String reason;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        if (replicas < 0) {
            throw new ParameterException(spec.commandLine(), "N is " + replicas + "; give 0 or more replicas");
        }
        CliContext context = context();
        ObjectNode body = Json.MAPPER.createObjectNode().put("replicas", replicas);
        if (reason != null) {
            body.put("reason", reason);
        }
        JsonNode app =
                server.client(context, true).put("/v1/apps/" + EmpClient.segment(id) + "/replicas", Json.compact(body));
        if (output.json()) {
            OutputOptions.printJson(context, app);
        } else {
            context.out()
                    .println(AppView.name(app) + " scaled to " + AppView.desired(app) + " replicas ("
                            + AppView.readiness(app) + " ready now).");
        }
        return 0;
    }
}
