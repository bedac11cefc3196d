package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code emp stop ID}: {@code POST /v1/apps/{id}/stop}. */
@Command(name = "stop", description = "Stops an app's replicas; 'emp start' brings them back.")
final class StopCommand extends EmpCommand {
    @Parameters(paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode app = server.client(context, true).post("/v1/apps/" + EmpClient.segment(id) + "/stop", null);
        if (output.json()) {
            OutputOptions.printJson(context, app);
        } else {
            context.out().println(AppView.name(app) + " " + Json.text(app, "state", "stopping") + ".");
        }
        return 0;
    }
}
