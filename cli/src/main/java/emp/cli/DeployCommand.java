package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code emp deploy FILE} (or {@code --jar PATH}): sends the app spec (or list of specs) to {@code PUT /v1/apps},
 * which deploys the new apps and updates in place those that exist, making a new release of each; then waits until
 * the release of every app that was created or updated has rolled out, and prints what was done to each and where
 * it answers. A release that fails (the platform rolls it back) makes the command fail with the server's reason.
 */
@Command(
        name = "deploy",
        description = {
            "Deploys the app (or list of apps) in FILE, or updates in place those you have, and waits until their new"
                    + " releases have rolled out.",
            "With --jar instead of FILE it deploys one jar, run as 'java -jar' by its absolute path: for a server on"
                    + " this machine (the local cluster)."
        })
final class DeployCommand extends EmpCommand {
    @Parameters(
            paramLabel = "FILE",
            arity = "0..1",
            description = "A JSON file holding one app spec or a list of them; - reads stdin. Relative paths of files"
                    + " in a 'command' are taken from the file's folder.")
    String file;

    @Option(
            names = "--jar",
            paramLabel = "PATH",
            description = "Deploy this jar instead of FILE, as {\"name\": NAME, \"command\": [\"java\", \"-jar\","
                    + " \"<absolute PATH>\"]}; only a server on this machine can run it.")
    String jar;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "With --jar: the app's name (default: the jar's file name without .jar and its version,"
                    + " e.g. hello for hello-1.0.3.jar).")
    String name;

    @Option(names = "--replicas", paramLabel = "N", description = "With --jar: how many replicas to run at first.")
    Integer replicas;

    @Option(names = "--no-wait", description = "Return as soon as the server has accepted the apps.")
    boolean noWait;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "4m",
            converter = DurationConverter.class,
            description =
                    "How long to wait for the releases to roll out, like 90s or 5m (default: ${DEFAULT-VALUE}); the server fails a release whose replicas are not ready"
                            + " within its release.timeout (3m unless the operator set another).")
    Duration timeout;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        checkArguments();
        CliContext context = context();
        String body = jar != null ? Json.compact(JarSpec.of(Path.of(jar), name, replicas)) : read(context);
        EmpClient client = server.client(context, true);
        JsonNode created = client.put("/v1/apps", body);
        List<JsonNode> apps = AppView.apps(created);
        if (noWait) {
            if (output.json()) {
                OutputOptions.printJson(context, created);
            } else {
                for (JsonNode app : apps) {
                    String appName = AppView.name(app);
                    context.out()
                            .println(appName + " " + done(app, "accepted") + ": " + AppView.readiness(app)
                                    + " ready; 'emp info " + appName + "' shows its progress");
                }
            }
            return 0;
        }
        // With -o json, stdout carries only the JSON, so the progress goes to stderr.
        PrintWriter notes = output.json() ? context.err() : context.out();
        boolean live = context.interactive() && !output.json();
        ReleaseWait wait = new ReleaseWait(context, client, new DeployProgress(notes, live));
        List<Integer> waited = new ArrayList<>();
        List<ReleaseWait.Target> targets = new ArrayList<>();
        for (int i = 0; i < apps.size(); i++) {
            // An app the server left alone has no new release to wait for.
            if (!"unchanged".equals(Json.text(apps.get(i), "change", "created"))) {
                waited.add(i);
                targets.add(ReleaseWait.Target.of(apps.get(i)));
            }
        }
        List<ReleaseWait.Outcome> outcomes = wait.await(targets, timeout);
        List<JsonNode> seen = new ArrayList<>(apps);
        List<ReleaseWait.Outcome> outcomeOf = new ArrayList<>();
        apps.forEach(app -> outcomeOf.add(null));
        for (int k = 0; k < waited.size(); k++) {
            seen.set(waited.get(k), outcomes.get(k).app());
            outcomeOf.set(waited.get(k), outcomes.get(k));
        }
        if (output.json()) {
            if (created.isArray()) {
                ArrayNode array = Json.MAPPER.createArrayNode();
                seen.forEach(array::add);
                OutputOptions.printJson(context, array);
            } else {
                OutputOptions.printJson(context, seen.get(0));
            }
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < seen.size(); i++) {
            JsonNode app = seen.get(i);
            ReleaseWait.Outcome outcome = outcomeOf.get(i);
            String status = outcome == null ? ReleaseView.SUCCEEDED : outcome.status();
            if (status.equals(ReleaseView.FAILED)) {
                failures.add(ReleaseView.failure(AppView.name(app), outcome.release()));
            } else if (status.equals(ReleaseView.SUPERSEDED)) {
                notes.println(ReleaseView.superseded(AppView.name(app), outcome.release()));
            } else if (!output.json()) {
                String url = Json.text(app, "url", null);
                context.out()
                        .println(AppView.name(app) + " " + done(apps.get(i), "deployed") + ": " + AppView.readiness(app)
                                + " ready" + (url == null ? "" : " at " + url));
            }
        }
        if (!failures.isEmpty()) {
            throw CliException.user(String.join("\n", failures));
        }
        return 0;
    }

    /** FILE or --jar, not both; --name and --replicas only with --jar. */
    private void checkArguments() {
        if (file != null && jar != null) {
            throw new ParameterException(
                    spec.commandLine(), "FILE and --jar cannot be used together; give a spec file or a jar");
        }
        if (file == null && jar == null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "missing FILE; give an app spec (JSON), - to read one from stdin, or --jar PATH to deploy a jar");
        }
        if (jar == null && (name != null || replicas != null)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--name and --replicas go with --jar; with FILE, set 'name' and 'replicas' in its spec");
        }
        if (replicas != null && replicas < 0) {
            throw new ParameterException(spec.commandLine(), "--replicas is " + replicas + "; give 0 or more");
        }
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
        text = withSpecDir(text);
        return "-".equals(file) ? text : CommandPaths.absolutize(text, specFolder());
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
        Path folder = "-".equals(file) ? Path.of("").toAbsolutePath().normalize() : specFolder();
        String escaped = folder.toString().replace("\\", "\\\\").replace("\"", "\\\"");
        return text.replace(SPEC_DIR, escaped);
    }

    /** The absolute folder of the spec file. */
    private Path specFolder() {
        return Path.of(file).toAbsolutePath().normalize().getParent();
    }

    static final String SPEC_DIR = "${EMP_SPEC_DIR}";
}
