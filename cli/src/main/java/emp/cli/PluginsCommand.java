package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code emp plugins}: {@code GET /v1/plugins}, the loaded plugins and the extensions each gives. */
@Command(name = "plugins", description = "Lists the server's plugins and their extensions; * marks the active ones.")
final class PluginsCommand extends EmpCommand {
    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode plugins = server.client(context, false).get("/v1/plugins");
        if (output.json()) {
            OutputOptions.printJson(context, plugins);
            return 0;
        }
        Table table = new Table("ID", "VERSION", "STATE", "EXTENSIONS");
        boolean anyActive = false;
        for (JsonNode plugin : AppView.apps(plugins)) {
            List<String> extensions = new ArrayList<>();
            for (JsonNode extension : plugin.path("extensions")) {
                boolean active = extension.path("active").asBoolean(false);
                anyActive |= active;
                extensions.add(Json.text(extension, "point", "?") + ":" + Json.text(extension, "name", "?")
                        + (active ? "*" : ""));
            }
            table.row(
                    Json.text(plugin, "id", null),
                    Json.text(plugin, "version", null),
                    Json.text(plugin, "state", null),
                    extensions.isEmpty() ? "-" : String.join(", ", extensions));
        }
        if (table.isEmpty()) {
            context.out().println("The server has no plugins loaded; drop plugin jars into its plugins folder.");
            return 0;
        }
        table.print(context.out());
        if (anyActive) {
            context.out().println();
            context.out().println("* active: the extension the server uses for its point");
        }
        return 0;
    }
}
