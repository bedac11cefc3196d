package emp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogTailTest {
    @Test
    void onlyLinesAfterThoseSeenBeforeAreNew() {
        LogTail tail = new LogTail();

        assertThat(lines(tail.next(answer("a:1", "b:1", "a:2")))).containsExactly("a:1", "b:1", "a:2");
        // The window moved on: a:1 dropped off its front, a:3 and b:2 came at its end.
        assertThat(lines(tail.next(answer("b:1", "a:2", "a:3", "b:2")))).containsExactly("a:3", "b:2");
        assertThat(lines(tail.next(answer("b:1", "a:2", "a:3", "b:2")))).isEmpty();
    }

    @Test
    void repeatedLinesAreCountedNotMerged() {
        LogTail tail = new LogTail();
        tail.next(answer("a:tick", "a:tick"));

        assertThat(lines(tail.next(answer("a:tick", "a:tick", "a:tick")))).containsExactly("a:tick");
    }

    @Test
    void aWindowWithNothingInCommonIsAllNew() {
        assertThat(LogTail.seen(List.of("x", "y"), List.of("p", "q"))).isZero();
        assertThat(LogTail.seen(List.of("x", "y"), List.of("y", "z"))).isEqualTo(1);
        assertThat(LogTail.seen(List.of(), List.of("y"))).isZero();
    }

    private static JsonNode answer(String... entries) {
        var array = Json.MAPPER.createArrayNode();
        for (String entry : entries) {
            String[] parts = entry.split(":", 2);
            array.addObject().put("instance", parts[0]).put("line", parts[1]);
        }
        return array;
    }

    private static List<String> lines(List<JsonNode> entries) {
        return entries.stream()
                .map(e -> e.path("instance").asText() + ":" + e.path("line").asText())
                .toList();
    }
}
