package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the new lines in successive {@code GET /v1/apps/{id}/logs?tail=N} answers for {@code emp logs -f}. Log
 * lines carry no sequence number, so each instance's lines are lined up with those of the previous answer: the
 * longest end of the previous lines that starts the new ones is what was seen already. When more than the window
 * arrives between two polls, the lines in between are not shown; when a window holds only repeats of one line, a
 * repeat may be missed.
 */
final class LogTail {
    private final Map<String, List<String>> previous = new HashMap<>();

    /** The lines of {@code answer} not seen in the previous answer, in the server's order. */
    List<JsonNode> next(JsonNode answer) {
        Map<String, List<String>> current = new LinkedHashMap<>();
        List<JsonNode> entries = new ArrayList<>();
        if (answer != null) {
            for (JsonNode entry : answer) {
                current.computeIfAbsent(instance(entry), k -> new ArrayList<>()).add(Json.text(entry, "line", ""));
                entries.add(entry);
            }
        }
        Map<String, Integer> toSkip = new HashMap<>();
        current.forEach((instance, lines) ->
                toSkip.put(instance, seen(previous.getOrDefault(instance, List.of()), lines)));
        List<JsonNode> fresh = new ArrayList<>();
        for (JsonNode entry : entries) {
            String instance = instance(entry);
            int skip = toSkip.get(instance);
            if (skip > 0) {
                toSkip.put(instance, skip - 1);
            } else {
                fresh.add(entry);
            }
        }
        previous.putAll(current);
        return fresh;
    }

    /** How many of {@code now}'s first lines are the end of {@code before}. */
    static int seen(List<String> before, List<String> now) {
        for (int start = 0; start < before.size(); start++) {
            int overlap = before.size() - start;
            if (overlap <= now.size() && before.subList(start, before.size()).equals(now.subList(0, overlap))) {
                return overlap;
            }
        }
        return 0;
    }

    private static String instance(JsonNode entry) {
        return Json.text(entry, "instance", "-");
    }
}
