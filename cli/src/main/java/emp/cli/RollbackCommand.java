package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code emp rollback ID [VERSION]}: {@code POST /v1/apps/{id}/rollback}, which makes a new release with what an
 * earlier one ran; then waits until that release has rolled out, as {@code emp deploy} does.
 */
@Command(
        name = "rollback",
        description = "Rolls an app back to an earlier release (by default the one before the current) by making a new"
                + " release of it, and waits until that has rolled out.")
final class RollbackCommand extends EmpCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "VERSION",
            converter = ReleaseVersionConverter.class,
            description = "The release to go back to, like 3 or v3 (default: the one before the current); 'emp"
                    + " releases ID' lists them.")
    Integer version;

    @Option(names = "--no-wait", description = "Return as soon as the server has made the new release.")
    boolean noWait;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "4m",
            converter = DurationConverter.class,
            description =
                    "How long to wait for the release to roll out, like 90s or 5m (default: ${DEFAULT-VALUE}); the server fails a release whose replicas are not ready"
                            + " within its release.timeout (3m unless the operator set another).")
    Duration timeout;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        EmpClient client = server.client(context, true);
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (version != null) {
            body.put("version", version);
        }
        String appPath = "/v1/apps/" + EmpClient.segment(id);
        JsonNode release = client.post(appPath + "/rollback", Json.compact(body));
        String name = Json.text(release, "app", id);
        Integer target = version != null ? version : ReleaseView.rollbackTarget(release);
        String rolled = "rolled '" + name + "' back to "
                + (target == null ? "the release before" : ReleaseView.label(target)) + " as release "
                + ReleaseView.label(ReleaseView.version(release));
        if (noWait) {
            if (output.json()) {
                OutputOptions.printJson(context, release);
            } else {
                context.out().println(rolled + "; 'emp releases " + name + "' shows how it rolls out");
            }
            return 0;
        }
        // With -o json, stdout carries only the JSON, so what is said goes to stderr.
        PrintWriter notes = output.json() ? context.err() : context.out();
        notes.println(rolled);
        boolean live = context.interactive() && !output.json();
        ReleaseWait wait = new ReleaseWait(context, client, new DeployProgress(notes, live));
        ReleaseWait.Target waited = new ReleaseWait.Target(client.get(appPath), ReleaseView.version(release));
        ReleaseWait.Outcome outcome = wait.await(List.of(waited), timeout).get(0);
        JsonNode last = outcome.release() == null ? release : outcome.release();
        if (output.json()) {
            OutputOptions.printJson(context, last);
        }
        JsonNode app = outcome.app();
        switch (outcome.status()) {
            case ReleaseView.FAILED -> throw CliException.user(ReleaseView.failure(name, last));
            case ReleaseView.SUPERSEDED -> notes.println(ReleaseView.superseded(name, last));
            default -> {
                if (!output.json()) {
                    String url = Json.text(app, "url", null);
                    context.out()
                            .println(name + " runs release " + ReleaseView.label(ReleaseView.version(last)) + ": "
                                    + AppView.readiness(app) + " ready" + (url == null ? "" : " at " + url));
                }
            }
        }
        return 0;
    }
}
