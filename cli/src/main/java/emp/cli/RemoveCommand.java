package emp.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code emp remove ID}: {@code DELETE /v1/apps/{id}}. Asks first only when a person is at a terminal (stdin and
 * stdout); a script is never held up by a question it cannot answer.
 */
@Command(name = "remove", description = "Removes an app and its replicas.")
final class RemoveCommand extends EmpCommand {
    @Parameters(paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Option(names = "--purge", description = "Also delete the app's data and event log.")
    boolean purge;

    @Option(
            names = {"-y", "--yes"},
            description = "Do not ask for confirmation.")
    boolean yes;

    @Mixin
    ServerOptions server;

    @Override
    public Integer call() {
        CliContext context = context();
        EmpClient client = server.client(context, true);
        if (context.interactive() && !yes) {
            String answer = context.prompter()
                    .readLine("Remove app '" + id + "'" + (purge ? " and its data" : "") + "? [y/N] ");
            if (answer == null
                    || !(answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
                throw CliException.user("app '" + id + "' was not removed");
            }
        }
        client.delete("/v1/apps/" + EmpClient.segment(id) + "?purge=" + purge);
        context.out().println("App '" + id + "' removed" + (purge ? ", with its data." : "."));
        return 0;
    }
}
