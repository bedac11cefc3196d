package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emp logs ID}: {@code GET /v1/apps/{id}/logs}; {@code -f} polls for new lines. */
@Command(name = "logs", description = "Shows the last lines the app's replicas printed, each after its instance's id.")
final class LogsCommand extends EmpCommand {
    /** The window of a follow poll: wide, so that lines written between two polls fall inside it. */
    private static final int FOLLOW_WINDOW = 500;

    @Parameters(paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Option(
            names = "--tail",
            paramLabel = "N",
            defaultValue = "100",
            description = "Show the last N lines (default: ${DEFAULT-VALUE}).")
    int tail;

    @Option(
            names = {"-f", "--follow"},
            description = "Keep polling and print new lines as they come (one JSON object a line with -o json).")
    boolean follow;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    private int instanceWidth;

    @Override
    public Integer call() {
        CliContext context = context();
        EmpClient client = server.client(context, true);
        String path = "/v1/apps/" + EmpClient.segment(id) + "/logs?tail=";
        if (!follow) {
            JsonNode lines = client.get(path + Math.max(tail, 0));
            if (output.json()) {
                OutputOptions.printJson(context, lines);
            } else {
                print(context, AppView.apps(lines));
            }
            return 0;
        }
        // Every poll asks for the same window, so that LogTail can line the answers up; the first shows its end only.
        int window = Math.max(tail, FOLLOW_WINDOW);
        LogTail logTail = new LogTail();
        List<JsonNode> first = logTail.next(client.get(path + window));
        print(context, first.subList(Math.max(0, first.size() - Math.max(tail, 0)), first.size()));
        Follow.loop(context, () -> client.get(path + window), answer -> print(context, logTail.next(answer)));
        return 0;
    }

    private void print(CliContext context, List<JsonNode> lines) {
        for (JsonNode line : lines) {
            instanceWidth =
                    Math.max(instanceWidth, Json.text(line, "instance", "-").length());
        }
        for (JsonNode line : lines) {
            if (output.json()) {
                context.out().println(Json.compact(line));
                continue;
            }
            String instance = Json.text(line, "instance", "-");
            context.out()
                    .println(instance + " ".repeat(instanceWidth - instance.length()) + " | "
                            + Json.text(line, "line", ""));
        }
        context.out().flush();
    }
}
