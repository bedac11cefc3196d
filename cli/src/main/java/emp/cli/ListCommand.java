package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code emp list}: {@code GET /v1/apps}. */
@Command(name = "list", description = "Lists your apps.")
final class ListCommand extends EmpCommand {
    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode apps = server.client(context, true).get("/v1/apps");
        if (output.json()) {
            OutputOptions.printJson(context, apps);
        } else {
            AppView.printList(context.out(), apps);
        }
        return 0;
    }
}
