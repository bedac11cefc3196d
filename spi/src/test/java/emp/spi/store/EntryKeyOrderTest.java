package emp.spi.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Entry#KEY_ORDER} orders keys as their UTF-8 bytes compare, which {@link String#compareTo} does not. */
class EntryKeyOrderTest {
    @Test
    void keysAreOrderedAsTheirUtf8Bytes() {
        List<String> keys = new ArrayList<>(List.of(
                "alice/web", "alice/", "alice", "b", "\uE000", "🎵", "a🎵", "a\uE000", "a\uFFFF", "😀", "", "Z", "é"));
        List<String> byBytes = new ArrayList<>(keys);
        byBytes.sort((left, right) ->
                Arrays.compareUnsigned(left.getBytes(StandardCharsets.UTF_8), right.getBytes(StandardCharsets.UTF_8)));

        keys.sort(Entry.KEY_ORDER);

        assertThat(keys).containsExactlyElementsOf(byBytes);
        assertThat(Entry.KEY_ORDER.compare("🎵", "\uE000"))
                .as("String.compareTo says otherwise")
                .isPositive();
    }

    @Test
    void aLoneSurrogateIsOrderedWithoutFailing() {
        assertThat(Entry.KEY_ORDER.compare("\uDC00x", "\uDC01")).isNegative();
        assertThat(Entry.KEY_ORDER.compare("a\uD800", "a\uD800")).isZero();
    }
}
