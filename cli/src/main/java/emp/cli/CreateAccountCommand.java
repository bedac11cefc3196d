package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code emp create-account}: {@code POST /v1/accounts}. */
@Command(
        name = "create-account",
        aliases = "create_account",
        description = "Creates an account on the server; log in with it afterwards.")
final class CreateAccountCommand extends EmpCommand {
    @Mixin
    CredentialOptions credentials;

    @Mixin
    ServerOptions server;

    @Override
    public Integer call() {
        CliContext context = context();
        Credentials account = credentials.resolve(context, spec, true);
        EmpClient client = server.anonymousClient(context);
        JsonNode created = client.post("/v1/accounts", account.toJson());
        String username = Json.text(created, "username", account.username());
        context.out()
                .println("Account '" + username + "' created on " + client.server()
                        + "; log in with 'emp login --username " + username + "'.");
        return 0;
    }
}
