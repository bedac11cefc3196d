package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code emp login}: opens a session ({@code POST /v1/sessions}) and remembers the server and token. */
@Command(
        name = "login",
        description = "Logs in and remembers the session (and the --server given) in $EMP_HOME/config.")
final class LoginCommand extends EmpCommand {
    @Mixin
    CredentialOptions credentials;

    @Mixin
    ServerOptions server;

    @Override
    public Integer call() {
        CliContext context = context();
        CliConfig config = context.configStore().load();
        Credentials login = credentials.resolve(context, spec, false);
        EmpClient client = server.anonymousClient(context);
        JsonNode session = client.post("/v1/sessions", login.toJson());
        String token = Json.text(session, "token", null);
        if (token == null || token.isBlank()) {
            throw new CliException(
                    "the server at " + client.server() + " answered the login without a token; "
                            + "is it an EMP server?",
                    CliException.SERVER_ERROR);
        }
        String username = Json.text(session, "username", login.username());
        context.configStore().save(config.withSession(client.server(), username, token));
        String expires = Json.text(session, "expires_at", null);
        context.out()
                .println("Logged in to " + client.server() + " as '" + username + "'"
                        + (expires == null ? "" : "; the session lasts until " + Times.local(expires)) + ".");
        return 0;
    }
}
