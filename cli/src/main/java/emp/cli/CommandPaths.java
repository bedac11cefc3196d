package emp.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the relative file paths in the {@code command} of a spec file's specs absolute. Each replica runs in a
 * folder of its own, where {@code target/hello.jar} means nothing; a person writes it relative to the spec file,
 * so {@code emp deploy} resolves it there. Only an argument that names an existing file is touched: {@code java},
 * {@code -jar}, {@code $PORT} and the like are left as they are.
 */
final class CommandPaths {
    private CommandPaths() {}

    /**
     * The spec file's text with each {@code command} argument that does not start with {@code /} or {@code -} and
     * names an existing file relative to {@code folder} replaced by that file's absolute, normalized path.
     *
     * @param text   the spec file: one spec object or an array of them
     * @param folder the spec file's folder
     * @return {@code text} itself when no argument names a file (or it is not JSON, for the server to explain); else
     *         the specs as JSON with only those arguments changed
     */
    static String absolutize(String text, Path folder) {
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return text;
        }
        List<JsonNode> specs = new ArrayList<>();
        if (tree != null && tree.isArray()) {
            tree.forEach(specs::add);
        } else if (tree != null) {
            specs.add(tree);
        }
        boolean changed = false;
        for (JsonNode spec : specs) {
            JsonNode command = spec.get("command");
            if (command == null || !command.isArray()) {
                continue;
            }
            ArrayNode arguments = (ArrayNode) command;
            for (int i = 0; i < arguments.size(); i++) {
                String file = existingFile(arguments.get(i), folder);
                if (file != null) {
                    arguments.set(i, TextNode.valueOf(file));
                    changed = true;
                }
            }
        }
        return changed ? Json.compact(tree) : text;
    }

    /** The absolute path of the file {@code argument} names relative to {@code folder}, or null when it names none. */
    private static String existingFile(JsonNode argument, Path folder) {
        if (!argument.isTextual()) {
            return null;
        }
        String text = argument.asText();
        if (text.isEmpty() || text.startsWith("/") || text.startsWith("-")) {
            return null;
        }
        try {
            Path path = folder.resolve(text).toAbsolutePath().normalize();
            return Files.isRegularFile(path) ? path.toString() : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
