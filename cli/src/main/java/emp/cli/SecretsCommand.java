package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code emp secrets list|set|unset}: an app's secrets, variables its replicas get whose values the server never
 * sends back ({@code /v1/apps/{id}/secrets}). A value is never printed, not in an error either; one can be typed
 * (hidden) or piped in rather than put on the command line, so that it stays out of the shell's history.
 */
@Command(
        name = "secrets",
        description = "Shows the names of an app's secrets and changes them; values are never shown. A change makes a"
                + " new release.",
        subcommands = {
            SecretsCommand.ListSecrets.class,
            SecretsCommand.SetSecrets.class,
            SecretsCommand.UnsetSecrets.class
        })
final class SecretsCommand extends EmpCommand {
    /** How a secret's value shows: not at all. */
    static final String MASK = "********";

    @Override
    public Integer call() {
        throw new ParameterException(
                spec.commandLine(), "missing subcommand: list, set or unset; e.g. 'emp secrets list ID'");
    }

    static String path(String id) {
        return "/v1/apps/" + EmpClient.segment(id) + "/secrets";
    }

    /** {@code emp secrets list ID}: {@code NAME=********} lines, sorted. */
    @Command(name = "list", description = "Prints the names of an app's secrets, sorted, as NAME=" + MASK + ".")
    static final class ListSecrets extends EmpSubcommand {
        @Parameters(paramLabel = "ID", description = "The app's id or name.")
        String id;

        @Mixin
        ServerOptions server;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() {
            CliContext context = context();
            JsonNode names = server.client(context, true).get(path(id)).path("secrets");
            if (output.json()) {
                OutputOptions.printJson(context, names);
                return 0;
            }
            TreeSet<String> sorted = new TreeSet<>();
            names.forEach(name -> sorted.add(name.asText()));
            if (sorted.isEmpty()) {
                // stderr, so that stdout stays NAME=... lines for scripts
                context.err().println("'" + id + "' has no secrets; 'emp secrets set " + id + " NAME' adds one");
            }
            sorted.forEach(name -> context.out().println(name + "=" + MASK));
            return 0;
        }
    }

    /** {@code emp secrets set ID KEY[=VALUE]...}: {@code PATCH} with {@code set}. */
    @Command(
            name = "set",
            description = {
                "Sets secrets of an app; a new release rolls out.",
                "A KEY given without '=VALUE' is read from stdin, one line each (typed hidden at a terminal), so that"
                        + " the value stays out of the shell's history: 'emp secrets set hello DB_PASSWORD'."
            })
    static final class SetSecrets extends EmpSubcommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The app's id or name.")
        String id;

        @Parameters(
                index = "1..*",
                arity = "1..*",
                paramLabel = "KEY[=VALUE]",
                description = "The secrets; a KEY alone reads its value from stdin.")
        List<String> pairs;

        @Mixin
        ServerOptions server;

        @Mixin
        OutputOptions output;

        private BufferedReader stdin;

        @Override
        public Integer call() {
            if (id.contains("=")) {
                // Never echo it: it may be a KEY=VALUE typed where the app belongs.
                throw new ParameterException(
                        spec.commandLine(),
                        "the first argument holds '=', like a KEY=VALUE pair; give the app first: "
                                + "'emp secrets set ID KEY=VALUE'");
            }
            CliContext context = context();
            VariablePatch patch = VariablePatch.setting(spec, pairs, key -> readValue(context, key), true);
            return SecretsCommand.patch(context, server, output, id, patch);
        }

        /** The value of a key given alone: typed hidden at a terminal, else the next line of stdin. */
        private String readValue(CliContext context, String key) {
            String value;
            if (context.interactive()) {
                value = context.prompter().readPassword("Value of " + key + " for '" + id + "': ");
                if (value == null) {
                    throw CliException.user("no value typed for '" + key + "'; type it, or pipe it in on stdin");
                }
            } else {
                value = readLine(context, key);
            }
            if (value.isEmpty()) {
                throw CliException.user("the value of '" + key + "' is empty; give the secret, or remove it with"
                        + " 'emp secrets unset " + id + " " + key + "'");
            }
            return value;
        }

        private String readLine(CliContext context, String key) {
            if (stdin == null) {
                stdin = new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.UTF_8));
            }
            String line;
            try {
                line = stdin.readLine();
            } catch (IOException e) {
                throw CliException.user("cannot read the value of '" + key + "' from stdin: " + e.getMessage());
            }
            if (line == null) {
                throw CliException.user("no value for '" + key + "' on stdin; pipe it in, e.g. 'printenv " + key
                        + " | emp secrets set " + id + " " + key + "', or run this at a terminal to type it");
            }
            return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        }
    }

    /** {@code emp secrets unset ID KEY...}: {@code PATCH} with {@code unset}. */
    @Command(name = "unset", description = "Removes secrets of an app; a new release rolls out.")
    static final class UnsetSecrets extends EmpSubcommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The app's id or name.")
        String id;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY", description = "The secrets to remove.")
        List<String> keys;

        @Mixin
        ServerOptions server;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() {
            return SecretsCommand.patch(context(), server, output, id, VariablePatch.unsetting(spec, keys, true));
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
