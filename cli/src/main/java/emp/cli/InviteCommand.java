package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code emp invite}: {@code POST /v1/invites}, a code that lets one person create an account (operators only). */
@Command(name = "invite", description = "Issues an invite: a code for one account, good for 7 days (operators only).")
final class InviteCommand extends EmpCommand {
    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode invite = server.client(context, true).post("/v1/invites", "{}");
        if (output.json()) {
            OutputOptions.printJson(context, invite);
            return 0;
        }
        String code = Json.text(invite, "code", "?");
        context.out().println(code);
        context.err()
                .println("An invite for one account, good until " + Json.text(invite, "expires_at", "?")
                        + "; give it to the person, who runs: emp create-account --invite " + code);
        return 0;
    }
}
