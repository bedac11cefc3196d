package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code emp audit}: {@code GET /v1/audit}, the platform's security events (operators only). */
@Command(
        name = "audit",
        description = "Shows the security events: sign-ups, logins and failures, disables, invites (operators only).")
final class AuditCommand extends EmpCommand {
    @Option(names = "--limit", defaultValue = "100", description = "the newest N events (default ${DEFAULT-VALUE})")
    int limit;

    @Option(
            names = "--after",
            paramLabel = "SEQ",
            description = "page: the events after this sequence number, oldest first")
    Long after;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode events =
                server.client(context, true).get("/v1/audit?limit=" + limit + (after == null ? "" : "&after=" + after));
        if (output.json()) {
            OutputOptions.printJson(context, events);
            return 0;
        }
        Table table = new Table("SEQ", "TIME", "TYPE", "ACTOR", "ADDRESS", "WHAT");
        for (JsonNode event : AppView.apps(events)) {
            table.row(
                    Json.text(event, "seq", null),
                    Json.text(event, "time", null),
                    Json.text(event, "type", null),
                    Json.text(event, "actor", null),
                    Json.text(event, "address", null),
                    Json.text(event, "message", null));
        }
        table.print(context.out());
        return 0;
    }
}
