package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code emp start ID}: {@code POST /v1/apps/{id}/start}. */
@Command(name = "start", description = "Starts a stopped app again.")
final class StartCommand extends EmpCommand {
    @Parameters(paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode app = server.client(context, true).post("/v1/apps/" + EmpClient.segment(id) + "/start", null);
        if (output.json()) {
            OutputOptions.printJson(context, app);
        } else {
            String name = AppView.name(app);
            context.out()
                    .println(name + " " + Json.text(app, "state", "starting") + ": " + AppView.readiness(app)
                            + " ready; 'emp info " + name + "' shows its progress.");
        }
        return 0;
    }
}
