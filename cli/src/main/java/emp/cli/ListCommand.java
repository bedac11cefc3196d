package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code emp list}: {@code GET /v1/apps}. */
@Command(name = "list", description = "Lists your apps (with --all, an operator's view of everyone's).")
final class ListCommand extends EmpCommand {
    @Option(names = "--all", description = "every user's apps (operators only)")
    boolean all;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode apps = server.client(context, true).get(all ? "/v1/apps?all=true" : "/v1/apps");
        if (output.json()) {
            OutputOptions.printJson(context, apps);
        } else {
            AppView.printList(context.out(), apps, all);
        }
        return 0;
    }
}
