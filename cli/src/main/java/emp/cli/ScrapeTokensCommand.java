package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code emp scrape-tokens create|list|revoke}: tokens for Prometheus ({@code /v1/scrape-tokens}, operators only). One
 * reads {@code /metrics} with every app's figures and nothing else, and lasts days rather than a session's hours.
 */
@Command(
        name = "scrape-tokens",
        description = "Makes, lists and revokes tokens for Prometheus to scrape /metrics with every app's figures"
                + " (operators only).",
        subcommands = {
            ScrapeTokensCommand.Create.class,
            ScrapeTokensCommand.ListTokens.class,
            ScrapeTokensCommand.Revoke.class
        })
final class ScrapeTokensCommand extends EmpCommand {
    static final String PATH = "/v1/scrape-tokens";

    @Override
    public Integer call() {
        throw new ParameterException(
                spec.commandLine(), "missing subcommand: create, list or revoke; e.g. 'emp scrape-tokens create'");
    }

    /** {@code emp scrape-tokens create [--days N]}: the token on stdout, once. */
    @Command(name = "create", description = "Makes a scrape token and prints it; it is not shown again.")
    static final class Create extends EmpSubcommand {
        @Option(
                names = "--days",
                defaultValue = "365",
                description = "How long it lasts, 1 to 3650 days (default: ${DEFAULT-VALUE}).")
        int days;

        @Mixin
        ServerOptions server;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() {
            CliContext context = context();
            JsonNode token = server.client(context, true).post(PATH, "{\"days\": " + days + "}");
            if (output.json()) {
                OutputOptions.printJson(context, token);
                return 0;
            }
            context.out().println(Json.text(token, "token", "?"));
            context.err()
                    .println("Scrape token " + Json.text(token, "id", "?") + ", good until "
                            + Json.text(token, "expires_at", "?") + ": put it in Prometheus' credentials_file; it"
                            + " reads /metrics only. 'emp scrape-tokens revoke " + Json.text(token, "id", "?")
                            + "' ends it.");
            return 0;
        }
    }

    /** {@code emp scrape-tokens list}: id, by whom, until when. */
    @Command(name = "list", description = "Lists the scrape tokens not expired (without their secrets).")
    static final class ListTokens extends EmpSubcommand {
        @Mixin
        ServerOptions server;

        @Mixin
        OutputOptions output;

        @Override
        public Integer call() {
            CliContext context = context();
            JsonNode tokens = server.client(context, true).get(PATH);
            if (output.json()) {
                OutputOptions.printJson(context, tokens);
                return 0;
            }
            if (tokens.isEmpty()) {
                context.err().println("no scrape tokens; 'emp scrape-tokens create' makes one");
            }
            for (JsonNode token : tokens) {
                context.out()
                        .println(Json.text(token, "id", "?") + "  by " + Json.text(token, "created_by", "?")
                                + "  until " + Json.text(token, "expires_at", "?"));
            }
            return 0;
        }
    }

    /** {@code emp scrape-tokens revoke ID}. */
    @Command(name = "revoke", description = "Revokes a scrape token by its id; Prometheus' next scrape gets 401.")
    static final class Revoke extends EmpSubcommand {
        @Parameters(paramLabel = "ID", description = "The token's id, as 'emp scrape-tokens list' shows it.")
        String id;

        @Mixin
        ServerOptions server;

        @Override
        public Integer call() {
            CliContext context = context();
            server.client(context, true).delete(PATH + "/" + EmpClient.segment(id));
            context.err().println("scrape token " + id + " revoked");
            return 0;
        }
    }
}
