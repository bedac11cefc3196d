package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code emp plugins}: {@code GET /v1/plugins}, the loaded plugins and the extensions each gives; and, for the
 * platform's operators, {@code install}, {@code remove} and {@code use} while the server runs.
 */
@Command(
        name = "plugins",
        description = {
            "Lists the server's plugins and their extensions; * marks the active ones.",
            "Operators also install a plugin jar, remove one, and choose the scheduler, all without a restart."
        },
        subcommands = {PluginsCommand.Install.class, PluginsCommand.Remove.class, PluginsCommand.Use.class})
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
        Table table = new Table("ID", "VERSION", "STATE", "EXTENSIONS", "NEXT START");
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
                    extensions.isEmpty() ? "-" : String.join(", ", extensions),
                    plugin.hasNonNull("staged") ? "version " + Json.text(plugin, "staged", "?") : "-");
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

    /** {@code emp plugins install FILE.jar}: {@code POST /v1/plugins} with the jar. */
    @Command(
            name = "install",
            description = "Installs a plugin jar (operators only); a newer version of an installed plugin upgrades it:"
                    + " at once for a scheduler or trace source, at the next start for a plugin in use as cluster or"
                    + " store.")
    static final class Install extends EmpSubcommand {
        @Parameters(paramLabel = "FILE", description = "The plugin's .jar file.")
        Path jar;

        @Mixin
        ServerOptions server;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() {
            CliContext context = context();
            JsonNode installed = server.client(context, true).postFile("/v1/plugins", jar, "application/java-archive");
            if (output.json()) {
                OutputOptions.printJson(context, installed);
                return 0;
            }
            List<String> extensions = new ArrayList<>();
            installed
                    .path("extensions")
                    .forEach(extension -> extensions.add(
                            Json.text(extension, "point", "?") + " '" + Json.text(extension, "name", "?") + "'"));
            String id = Json.text(installed, "id", "?");
            String version = Json.text(installed, "version", "?");
            String outcome = Json.text(installed, "outcome", "installed");
            context.out()
                    .println(
                            switch (outcome) {
                                case "upgraded" -> "upgraded plugin '" + id + "' to " + version + "; it runs now";
                                case "staged" ->
                                    "plugin '" + id + "' " + version
                                            + " is staged: it is in use, so it replaces the running version at the"
                                            + " server's next start";
                                default ->
                                    "installed plugin '" + id + "' " + version + ": " + String.join(", ", extensions)
                                            + "; 'emp plugins use POINT NAME' chooses one";
                            });
            return 0;
        }
    }

    /** {@code emp plugins remove ID}: {@code DELETE /v1/plugins/{id}}. */
    @Command(
            name = "remove",
            description = "Unloads and deletes a plugin that provides nothing in use (operators only).")
    static final class Remove extends EmpSubcommand {
        @Parameters(paramLabel = "ID", description = "The plugin's id, as 'emp plugins' lists it.")
        String id;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            CliContext context = context();
            server.client(context, true).delete("/v1/plugins/" + EmpClient.segment(id));
            context.out().println("removed plugin '" + id + "'");
            return 0;
        }
    }

    /** {@code emp plugins use POINT NAME}: {@code PUT /v1/plugins/active/{point}}. */
    @Command(
            name = "use",
            description = "Chooses what an extension point uses (operators only): the scheduler switches from the next"
                    + " tick, the trace source at once (apps roll where it gives their replicas other variables), and"
                    + " the choice stays across restarts; cluster and store need a restart.")
    static final class Use extends EmpSubcommand {
        @Parameters(
                index = "0",
                paramLabel = "POINT",
                description = "scheduler or tracing (cluster and store: at a restart).")
        String point;

        @Parameters(
                index = "1",
                paramLabel = "NAME",
                description = "The extension's name, or none for no scheduler or trace source.")
        String name;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            CliContext context = context();
            server.client(context, true)
                    .put(
                            "/v1/plugins/active/" + EmpClient.segment(point),
                            Json.compact(Json.MAPPER.createObjectNode().put("name", name)));
            context.out().println(point + " '" + name + "' is active");
            return 0;
        }
    }
}
