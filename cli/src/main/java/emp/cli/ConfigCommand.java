package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code emp config list|get|set|unset}: an app's config, the plain variables its replicas get
 * ({@code /v1/apps/{id}/config}). A change makes a new release, which rolls the replicas.
 */
@Command(
        name = "config",
        description = "Shows and changes an app's config: variables its replicas get. A change makes a new release.",
        subcommands = {
            ConfigCommand.ListConfig.class,
            ConfigCommand.GetConfig.class,
            ConfigCommand.SetConfig.class,
            ConfigCommand.UnsetConfig.class
        })
final class ConfigCommand extends EmpCommand {
    @Override
    public Integer call() {
        throw new ParameterException(
                spec.commandLine(), "missing subcommand: list, get, set or unset; e.g. 'emp config list ID'");
    }

    static String path(String id) {
        return "/v1/apps/" + EmpClient.segment(id) + "/config";
    }

    /** {@code emp config list ID}: {@code KEY=VALUE} lines, sorted by key. */
    @Command(name = "list", description = "Prints an app's config as KEY=VALUE lines, sorted by key.")
    static final class ListConfig extends EmpSubcommand {
        @Parameters(paramLabel = "ID", description = "The app's id or name.")
        String id;

        @Mixin
        ServerOptions server;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() {
            CliContext context = context();
            JsonNode config = server.client(context, true).get(path(id)).path("config");
            if (output.json()) {
                OutputOptions.printJson(context, config);
                return 0;
            }
            Map<String, String> sorted = new TreeMap<>();
            config.fields()
                    .forEachRemaining(
                            field -> sorted.put(field.getKey(), field.getValue().asText()));
            if (sorted.isEmpty()) {
                // stderr, so that stdout stays KEY=VALUE lines for scripts
                context.err().println("'" + id + "' has no config; 'emp config set " + id + " KEY=VALUE' adds some");
            }
            sorted.forEach((key, value) -> context.out().println(key + "=" + value));
            return 0;
        }
    }

    /** {@code emp config get ID KEY}: the raw value. */
    @Command(name = "get", description = "Prints the value of one key of an app's config, as it is.")
    static final class GetConfig extends EmpSubcommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The app's id or name.")
        String id;

        @Parameters(index = "1", paramLabel = "KEY", description = "The key, e.g. LOG_LEVEL.")
        String key;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            CliContext context = context();
            JsonNode value =
                    server.client(context, true).get(path(id)).path("config").get(key);
            if (value == null || value.isNull()) {
                throw CliException.user("'" + key + "' is not set in the config of '" + id + "'; 'emp config list " + id
                        + "' shows what is, 'emp config set " + id + " " + key + "=VALUE' sets it");
            }
            context.out().println(value.asText());
            return 0;
        }
    }

    /** {@code emp config set ID KEY=VALUE...}: {@code PATCH} with {@code set}. */
    @Command(
            name = "set",
            description = "Sets keys of an app's config, e.g. 'emp config set hello LOG_LEVEL=debug'; a new release"
                    + " rolls out.")
    static final class SetConfig extends EmpSubcommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The app's id or name.")
        String id;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE", description = "The keys and values.")
        List<String> pairs;

        @Mixin
        ServerOptions server;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() {
            return patch(context(), server, output, id, VariablePatch.setting(spec, pairs, null, false));
        }
    }

    /** {@code emp config unset ID KEY...}: {@code PATCH} with {@code unset}. */
    @Command(name = "unset", description = "Removes keys from an app's config; a new release rolls out.")
    static final class UnsetConfig extends EmpSubcommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The app's id or name.")
        String id;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY", description = "The keys to remove.")
        List<String> keys;

        @Mixin
        ServerOptions server;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() {
            return patch(context(), server, output, id, VariablePatch.unsetting(spec, keys, false));
        }
    }

    private static int patch(
            CliContext context, ServerOptions server, OutputOptions output, String id, VariablePatch patch) {
        JsonNode answer = server.client(context, true).patch(path(id), patch.body());
        if (output.json()) {
            OutputOptions.printJson(context, answer);
        } else {
            context.out().println(patch.summary(id, answer));
        }
        return 0;
    }
}
