package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code -o/--output} option of every command that prints what the server answered. */
public final class OutputOptions {
    /** How a command prints. */
    public enum Format {
        TABLE,
        JSON
    }

    /** The formats as a person types them, for the help text and tab completion. */
    static final class FormatNames extends ArrayList<String> {
        FormatNames() {
            super(List.of("table", "json"));
        }
    }

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            defaultValue = "table",
            completionCandidates = FormatNames.class,
            description = "table (aligned columns, the default) or json (the server's JSON, pretty-printed).")
    Format format = Format.TABLE;

    boolean json() {
        return format == Format.JSON;
    }

    /** Prints {@code node} as pretty JSON, unchanged. */
    static void printJson(CliContext context, JsonNode node) {
        context.out().println(Json.pretty(node));
    }
}
