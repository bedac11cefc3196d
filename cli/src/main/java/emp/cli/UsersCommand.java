package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code emp users}: {@code GET /v1/users}, every account (operators only). */
@Command(name = "users", description = "Lists the platform's accounts: role, whether disabled (operators only).")
final class UsersCommand extends EmpCommand {
    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode users = server.client(context, true).get("/v1/users");
        if (output.json()) {
            OutputOptions.printJson(context, users);
            return 0;
        }
        Table table = new Table("USERNAME", "ROLE", "STATE", "CREATED");
        for (JsonNode user : AppView.apps(users)) {
            table.row(
                    Json.text(user, "username", null),
                    Json.text(user, "role", null),
                    user.path("disabled").asBoolean(false) ? "disabled" : "active",
                    Json.text(user, "created_at", null));
        }
        table.print(context.out());
        return 0;
    }
}
