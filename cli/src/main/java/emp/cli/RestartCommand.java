package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code emp restart ID}: {@code POST /v1/apps/{id}/restart}, a rolling restart. */
@Command(
        name = "restart",
        description = "Replaces every replica of an app by a new one, new ones first, so that it keeps serving.")
final class RestartCommand extends EmpCommand {
    @Parameters(paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode app = server.client(context, true).post("/v1/apps/" + EmpClient.segment(id) + "/restart", null);
        if (output.json()) {
            OutputOptions.printJson(context, app);
        } else {
            String name = AppView.name(app);
            context.out()
                    .println(name + " restarting: new replicas replace the " + AppView.readiness(app)
                            + " ready; 'emp events " + name + "' shows the rollout");
        }
        return 0;
    }
}
