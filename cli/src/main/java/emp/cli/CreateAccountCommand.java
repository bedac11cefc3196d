package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

    @Option(names = "--invite", paramLabel = "CODE", description = "an invite from the platform's operator")
    String invite;

    @Option(
            names = "--setup-token",
            paramLabel = "TOKEN",
            description = "the token the server printed at its start: makes the platform's first account (its"
                    + " operator) from another machine")
    String setupToken;

    @Override
    public Integer call() {
        CliContext context = context();
        Credentials account = credentials.resolve(context, spec, true);
        EmpClient client = server.anonymousClient(context);
        ObjectNode body = (ObjectNode) Json.parse(account.toJson(), "account");
        if (invite != null) {
            body.put("invite", invite);
        }
        if (setupToken != null) {
            body.put("setup_token", setupToken);
        }
        JsonNode created = client.post("/v1/accounts", Json.compact(body));
        String username = Json.text(created, "username", account.username());
        boolean operator = "operator".equals(Json.text(created, "role", ""));
        context.out()
                .println("Account '" + username + "' created on " + client.server()
                        + (operator ? " as the platform's operator" : "") + "; log in with 'emp login --username "
                        + username + "'.");
        return 0;
    }
}
