package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code emp disable-user} and {@code emp enable-user}: an operator's switch on an account. */
abstract class UserStateCommand extends EmpCommand {
    @Parameters(index = "0", paramLabel = "USERNAME", description = "the account")
    String username;

    @Mixin
    ServerOptions server;

    abstract boolean disable();

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode user = server.client(context, true)
                .post("/v1/users/" + EmpClient.segment(username) + (disable() ? "/disable" : "/enable"), "{}");
        String name = Json.text(user, "username", username);
        context.out()
                .println(
                        disable()
                                ? "Disabled '" + name
                                        + "': it cannot log in, its tokens are revoked and its apps stopped."
                                : "Enabled '" + name
                                        + "': it may log in again (its apps stay stopped until it starts them).");
        return 0;
    }

    @Command(
            name = "disable-user",
            description = "Disables an account: no login, every token revoked, every app stopped (operators only).")
    static final class Disable extends UserStateCommand {
        @Override
        boolean disable() {
            return true;
        }
    }

    @Command(name = "enable-user", description = "Enables a disabled account again (operators only).")
    static final class Enable extends UserStateCommand {
        @Override
        boolean disable() {
            return false;
        }
    }
}
