package emp.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code emp logout}: revokes the session's token ({@code DELETE /v1/sessions/current}) and forgets it. */
@Command(name = "logout", description = "Ends the session: the server revokes its token and emp forgets it.")
final class LogoutCommand extends EmpCommand {
    @Mixin
    ServerOptions server;

    @Override
    public Integer call() {
        CliContext context = context();
        CliConfig config = context.configStore().load();
        if (config.token() == null && context.env("EMP_TOKEN") == null) {
            context.out().println("Not logged in.");
            return 0;
        }
        EmpClient client = server.client(context, true);
        try {
            client.delete("/v1/sessions/current");
        } catch (ApiException e) {
            // A session the server no longer knows is as ended as one it revokes now.
            if (e.status() != 401 && e.status() != 404) {
                throw e;
            }
        } finally {
            // Forget the token even when the server cannot be told: a person who logs out means it.
            if (config.token() != null) {
                context.configStore().save(config.withoutToken());
            }
        }
        context.out().println("Logged out of " + client.server() + ".");
        return 0;
    }
}
