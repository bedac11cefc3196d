package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code emp tracing ID}: {@code GET /v1/apps/{id}/tracing}, the metrics the platform computed from the app's
 * traces. Its fields may grow, so the table shows every numeric field by its path.
 */
@Command(name = "tracing", description = "Shows what the app's traces say: rates, latencies, errors.")
final class TracingCommand extends EmpCommand {
    @Parameters(paramLabel = "ID", description = "The app's id or name.")
    String id;

    @Mixin
    ServerOptions server;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        CliContext context = context();
        JsonNode tracing = server.client(context, true).get("/v1/apps/" + EmpClient.segment(id) + "/tracing");
        if (output.json()) {
            OutputOptions.printJson(context, tracing);
            return 0;
        }
        Table table = new Table("FIELD", "VALUE");
        addNumbers(table, "", tracing);
        if (table.isEmpty()) {
            context.out()
                    .println("No numbers for '" + id + "' yet; 'emp tracing " + id
                            + " -o json' shows the whole answer.");
            return 0;
        }
        table.print(context.out());
        return 0;
    }

    /** Adds a row for each numeric leaf under {@code node}, named by its path, e.g. {@code edges[0].p95_ms}. */
    private static void addNumbers(Table table, String path, JsonNode node) {
        if (node == null) {
            return;
        }
        if (node.isNumber()) {
            table.row(path.isEmpty() ? "value" : path, node.asText());
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                addNumbers(table, path.isEmpty() ? field.getKey() : path + "." + field.getKey(), field.getValue());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                addNumbers(table, path + "[" + i + "]", node.get(i));
            }
        }
    }
}
