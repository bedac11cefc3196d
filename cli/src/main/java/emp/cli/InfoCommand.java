package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code emp info ID}: {@code GET /v1/apps/{id}}. */
@Command(name = "info", description = "Shows an app: its state, URL, targets and instances.")
final class InfoCommand extends EmpCommand {
    @Parameters(paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode app = server.client(context, true).get("/v1/apps/" + EmpClient.segment(id));
        if (output.json()) {
            OutputOptions.printJson(context, app);
        } else {
            AppView.printInfo(context.out(), app);
        }
        return 0;
    }
}
