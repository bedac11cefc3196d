package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code emp deploy FILE}: sends the file's app spec (or list of specs) to {@code PUT /v1/apps} as it is, which
 * deploys the new apps and updates in place those that exist (their replicas roll onto the new spec), then waits until
 * every app's replicas are ready and prints what was done to each and where it answers.
 */
@Command(
        name = "deploy",
        description = "Deploys the app (or list of apps) in FILE, or updates in place those you have, and waits until"
                + " their replicas are ready.")
final class DeployCommand extends EmpCommand {
    @Parameters(paramLabel = "FILE", description = "A JSON file holding one app spec or a list of them; - reads stdin.")
    String file;

    @Option(names = "--no-wait", description = "Return as soon as the server has accepted the apps.")
    boolean noWait;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "120s",
            converter = DurationConverter.class,
            description = "How long to wait for the replicas to be ready, like 90s or 5m (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        String body = read(context);
        EmpClient client = server.client(context, true);
        JsonNode created = client.put("/v1/apps", body);
        List<JsonNode> apps = AppView.apps(created);
        if (noWait) {
            if (output.json()) {
                OutputOptions.printJson(context, created);
            } else {
                for (JsonNode app : apps) {
                    String name = AppView.name(app);
                    context.out()
                            .println(name + " " + done(app, "accepted") + ": " + AppView.readiness(app)
                                    + " ready; 'emp info " + name + "' shows its progress");
                }
            }
            return 0;
        }
        // With -o json, stdout carries only the JSON, so the progress goes to stderr.
        boolean live = context.interactive() && !output.json();
        DeployProgress progress =
                new DeployProgress(context, client, output.json() ? context.err() : context.out(), live);
        List<JsonNode> ready = progress.await(apps, timeout);
        if (output.json()) {
            if (created.isArray()) {
                ArrayNode array = Json.MAPPER.createArrayNode();
                ready.forEach(array::add);
                OutputOptions.printJson(context, array);
            } else {
                OutputOptions.printJson(context, ready.get(0));
            }
            return 0;
        }
        for (int i = 0; i < ready.size(); i++) {
            JsonNode app = ready.get(i);
            String url = Json.text(app, "url", null);
            context.out()
                    .println(AppView.name(app) + " " + done(apps.get(i), "deployed") + ": " + AppView.readiness(app)
                            + " ready" + (url == null ? "" : " at " + url));
        }
        return 0;
    }

    /** What the server did to the app: {@code created} (said as {@code whenCreated}), {@code updated}, {@code unchanged}. */
    private static String done(JsonNode app, String whenCreated) {
        String change = Json.text(app, "change", "created");
        return change.equals("created") ? whenCreated : change;
    }

    private String read(CliContext context) {
        String text;
        try {
            text = "-".equals(file)
                    ? new String(context.in().readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CliException.user("file '" + file + "' does not exist; give the path of an app spec (JSON)");
        } catch (IOException e) {
            throw CliException.user("cannot read '" + file + "': " + e.getMessage());
        }
        if (text.isBlank()) {
            throw CliException.user(("-".equals(file) ? "stdin" : "file '" + file + "'")
                    + " is empty; it should hold an app spec or a list of them as JSON");
        }
        return withSpecDir(text);
    }

    /**
     * Replaces {@value #SPEC_DIR} with the absolute folder of the spec file, so a spec can name a jar beside it
     * ({@code "${EMP_SPEC_DIR}/target/app.jar"}): replicas run in folders of their own, where a relative path means
     * nothing. Only this one name is replaced; {@code $PORT} and the rest are the cluster's to expand.
     */
    private String withSpecDir(String text) {
        if (!text.contains(SPEC_DIR)) {
            return text;
        }
        Path folder = ("-".equals(file)
                        ? Path.of("")
                        : Path.of(file).toAbsolutePath().getParent())
                .toAbsolutePath()
                .normalize();
        String escaped = folder.toString().replace("\\", "\\\\").replace("\"", "\\\"");
        return text.replace(SPEC_DIR, escaped);
    }

    static final String SPEC_DIR = "${EMP_SPEC_DIR}";
}
