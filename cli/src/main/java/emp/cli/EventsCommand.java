package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code emp events ID}: {@code GET /v1/apps/{id}/events}, oldest first; {@code -f} polls for new ones. */
@Command(
        name = "events",
        description =
                "Shows an app's event log, oldest first: deploys, crashes, and scaling decisions with their reasons.")
final class EventsCommand extends EmpCommand {
    /** How many events a follow poll asks for, so that a burst between two polls is not cut off. */
    private static final int FOLLOW_BATCH = 200;

    @Parameters(paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "50",
            description = "Show the last N events (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(
            names = {"-f", "--follow"},
            description = "Keep polling and print new events as they come (one JSON object a line with -o json).")
    boolean follow;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        EmpClient client = server.client(context, true);
        String path = "/v1/apps/" + EmpClient.segment(id) + "/events?limit=";
        JsonNode events = client.get(path + Math.max(limit, 0));
        if (!follow) {
            if (output.json()) {
                OutputOptions.printJson(context, events);
            } else if (events == null || events.isEmpty()) {
                context.out().println("No events for '" + id + "' yet.");
            } else {
                Table table = new Table("TIME", "TYPE", "MESSAGE");
                events.forEach(event -> table.row(row(event)));
                table.print(context.out());
            }
            return 0;
        }
        int[] widths = {19, 16};
        if (!output.json()) {
            Table table = new Table("TIME", "TYPE", "MESSAGE");
            if (events != null) {
                events.forEach(event -> table.row(row(event)));
            }
            int[] batchWidths = table.widths();
            widths = new int[] {Math.max(widths[0], batchWidths[0]), Math.max(widths[1], batchWidths[1])};
            context.out().println(Table.format(widths, "TIME", "TYPE", "MESSAGE"));
        }
        int[] columns = widths;
        long[] lastSeq = {print(context, events, Long.MIN_VALUE, columns)};
        Follow.loop(
                context,
                () -> client.get(path + Math.max(limit, FOLLOW_BATCH)),
                batch -> lastSeq[0] = print(context, batch, lastSeq[0], columns));
        return 0;
    }

    /** Prints the events after {@code afterSeq}; returns the last sequence number printed. */
    private long print(CliContext context, JsonNode events, long afterSeq, int[] widths) {
        long last = afterSeq;
        if (events == null) {
            return last;
        }
        for (JsonNode event : events) {
            long seq = event.path("seq").asLong(Long.MIN_VALUE);
            if (seq <= afterSeq && seq != Long.MIN_VALUE) {
                continue;
            }
            if (output.json()) {
                context.out().println(Json.compact(event));
            } else {
                context.out().println(Table.format(widths, row(event)));
            }
            last = Math.max(last, seq);
        }
        context.out().flush();
        return last;
    }

    private static String[] row(JsonNode event) {
        List<String> cells = new ArrayList<>(3);
        cells.add(Times.local(Json.text(event, "time", "-")));
        cells.add(Json.text(event, "type", "-"));
        cells.add(Json.text(event, "message", ""));
        return cells.toArray(String[]::new);
    }
}
