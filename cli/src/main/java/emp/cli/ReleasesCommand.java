package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code emp releases ID}: {@code GET /v1/apps/{id}/releases}, newest first. */
@Command(
        name = "releases",
        description = "Lists an app's releases, newest first: every change of its spec, config or secrets (and every"
                + " rollback) makes one, and says how its rollout went.")
final class ReleasesCommand extends EmpCommand {
    /** The most releases the server sends in one answer. */
    static final int MAX_LIMIT = 100;

    @Parameters(paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "20",
            description = "Show the newest N releases, 1 to " + MAX_LIMIT + " (default: ${DEFAULT-VALUE}).")
    int limit;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ParameterException(
                    spec.commandLine(), "--limit is " + limit + "; give 1 to " + MAX_LIMIT + " releases");
        }
        CliContext context = context();
        JsonNode releases =
                server.client(context, true).get("/v1/apps/" + EmpClient.segment(id) + "/releases?limit=" + limit);
        if (output.json()) {
            OutputOptions.printJson(context, releases);
        } else {
            ReleaseView.printTable(context.out(), id, releases, Instant.now());
        }
        return 0;
    }
}
