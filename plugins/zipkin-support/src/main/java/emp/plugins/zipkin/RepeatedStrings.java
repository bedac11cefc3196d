package emp.plugins.zipkin;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The strings that come again and again in spans (service names, span names, tag keys), each made once from its bytes
 * and handed out again: no copy, no lower-casing and no hashing per span, and one instance held however many spans
 * wait. A table of {@value #SLOTS} slots, each keeping the last string whose bytes hash to it, so a flood of distinct
 * names costs misses, never memory. Thread-safe without locks: a slot holds an immutable entry, replaced whole.
 */
final class RepeatedStrings {
    static final int SLOTS = 4096;
    /** Longer strings are made each time: they are rarely repeated names. */
    static final int MAX_LENGTH = 96;

    private final boolean lowerCase;
    private final Entry[] slots = new Entry[SLOTS];

    /** @param lowerCase whether the strings handed out are lower-cased (as Zipkin lower-cases names) */
    RepeatedStrings(boolean lowerCase) {
        this.lowerCase = lowerCase;
    }

    /** The string of UTF-8 bytes {@code [from, to)} of {@code bytes}, lower-cased when this table does so. */
    String get(byte[] bytes, int from, int to, boolean ascii) {
        int length = to - from;
        if (length > MAX_LENGTH) {
            return make(bytes, from, to, ascii);
        }
        int hash = 0x811c9dc5;
        for (int i = from; i < to; i++) {
            hash = (hash ^ bytes[i]) * 0x01000193;
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        Entry entry = slots[slot];
        if (entry != null && Arrays.equals(entry.bytes, 0, entry.bytes.length, bytes, from, to)) {
            return entry.text;
        }
        String text = make(bytes, from, to, ascii);
        slots[slot] = new Entry(Arrays.copyOfRange(bytes, from, to), text);
        return text;
    }

    boolean lowerCase() {
        return lowerCase;
    }

    private String make(byte[] bytes, int from, int to, boolean ascii) {
        String text = new String(bytes, from, to - from, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        return lowerCase ? text.toLowerCase(Locale.ROOT) : text;
    }

    private record Entry(byte[] bytes, String text) {}
}
