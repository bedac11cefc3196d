package emp.host.tracing;

import emp.spi.tracing.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The spans of one shard's traces while they gather, held in columns of primitive arrays rather than as objects: a
 * waiting span is 4 longs, 2 ints and 4 references into arrays that grow by doubling, so however many wait, the garbage
 * collector copies no object per span (measured: with spans held as objects, young collections copying the waiting
 * ones took 40 % of the time of a full-speed drain; bench/RESULTS.md, "Span ingestion"). A span's ids are kept as
 * numbers when they are Zipkin's canonical 16 lower-case hex characters (as every trace source gives them); a span
 * with any other id is kept as it came. Names and services are kept as the shared strings a {@link StringTable}
 * hands out. Only what is read of a span is kept: its tags but {@code error} are not.
 *
 * <p>The spans of a trace are a chain of slots ({@link #append}); {@link #take} gives them back as spans and frees
 * their slots. Not thread-safe: its shard's lock guards it.
 */
final class PendingSpans {
    private static final int KIND_MASK = 0x7;
    private static final int SHARED = 1 << 3;
    private static final int ERROR = 1 << 4;
    private static final int HAS_PARENT = 1 << 5;
    private static final Span.Kind[] KINDS = Span.Kind.values();
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final StringTable strings;

    private long[] ids;
    private long[] parents;
    private long[] starts;
    private long[] durations;
    private int[] flags;
    private int[] next;
    /** Per slot: name, local service, remote service, error tag's value. */
    private Object[] texts;
    /** A span kept as it came (its ids are not canonical), else null. */
    private Span[] whole;

    private int[] free;
    private int freeCount;
    private int used;

    PendingSpans(int initialCapacity, StringTable strings) {
        this.strings = strings;
        allocate(Math.max(16, initialCapacity));
    }

    /**
     * Adds {@code span} after slot {@code tail} of its trace (-1 for the trace's first span).
     *
     * @return the span's slot, the trace's new tail
     */
    int append(Span span, int tail) {
        int slot = slot();
        long id = canonicalId(span.id());
        long parent = span.parentId() == null ? 0 : canonicalId(span.parentId());
        if (id == 0 || (span.parentId() != null && parent == 0)) {
            whole[slot] = span;
        } else {
            whole[slot] = null;
            ids[slot] = id;
            parents[slot] = parent;
            starts[slot] = span.timestampMicros();
            durations[slot] = span.durationMicros();
            Map<String, String> tags = span.tags();
            String error = tags.isEmpty() ? null : tags.get("error");
            flags[slot] = (span.kind() == null ? 0 : span.kind().ordinal() + 1)
                    | (span.shared() ? SHARED : 0)
                    | (error != null ? ERROR : 0)
                    | (span.parentId() != null ? HAS_PARENT : 0);
            int base = slot * 4;
            texts[base] = strings.shared(span.name());
            texts[base + 1] = strings.shared(span.localService());
            texts[base + 2] = strings.shared(span.remoteService());
            texts[base + 3] = error == null ? null : strings.shared(error);
        }
        next[slot] = -1;
        if (tail >= 0) {
            next[tail] = slot;
        }
        return slot;
    }

    /** The spans of the chain that starts at {@code head}, {@code count} of them, in order; their slots are freed. */
    List<Span> take(int head, int count, String traceId) {
        List<Span> spans = new ArrayList<>(count);
        for (int slot = head; slot >= 0; ) {
            spans.add(span(slot, traceId));
            int following = next[slot];
            release(slot);
            slot = following;
        }
        return spans;
    }

    /** Slots in use. */
    int size() {
        return used - freeCount;
    }

    /** Slots the columns have room for now. */
    int capacity() {
        return ids.length;
    }

    private Span span(int slot, String traceId) {
        Span kept = whole[slot];
        if (kept != null) {
            whole[slot] = null;
            return kept;
        }
        int flag = flags[slot];
        int kind = flag & KIND_MASK;
        int base = slot * 4;
        String error = (String) texts[base + 3];
        Span span = new Span(
                traceId,
                hex(ids[slot]),
                (flag & HAS_PARENT) != 0 ? hex(parents[slot]) : null,
                (String) texts[base],
                kind == 0 ? null : KINDS[kind - 1],
                (String) texts[base + 1],
                (String) texts[base + 2],
                starts[slot],
                durations[slot],
                (flag & ERROR) != 0 ? Map.of("error", error) : Map.of(),
                (flag & SHARED) != 0);
        texts[base] = null;
        texts[base + 1] = null;
        texts[base + 2] = null;
        texts[base + 3] = null;
        return span;
    }

    private int slot() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (used == ids.length) {
            grow();
        }
        return used++;
    }

    private void release(int slot) {
        free[freeCount++] = slot;
    }

    private void allocate(int capacity) {
        ids = new long[capacity];
        parents = new long[capacity];
        starts = new long[capacity];
        durations = new long[capacity];
        flags = new int[capacity];
        next = new int[capacity];
        texts = new Object[capacity * 4];
        whole = new Span[capacity];
        free = new int[capacity];
    }

    private void grow() {
        int capacity = ids.length * 2;
        ids = Arrays.copyOf(ids, capacity);
        parents = Arrays.copyOf(parents, capacity);
        starts = Arrays.copyOf(starts, capacity);
        durations = Arrays.copyOf(durations, capacity);
        flags = Arrays.copyOf(flags, capacity);
        next = Arrays.copyOf(next, capacity);
        texts = Arrays.copyOf(texts, capacity * 4);
        whole = Arrays.copyOf(whole, capacity);
        free = Arrays.copyOf(free, capacity);
    }

    /** A canonical span id (16 lower-case hex characters, not all zeros) as its number, else 0. */
    static long canonicalId(String id) {
        if (id.length() != 16) {
            return 0;
        }
        long value = 0;
        for (int i = 0; i < 16; i++) {
            char c = id.charAt(i);
            int digit;
            if (c >= '0' && c <= '9') {
                digit = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                digit = c - 'a' + 10;
            } else {
                return 0;
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    static String hex(long value) {
        byte[] text = new byte[16];
        for (int i = 15; i >= 0; i--) {
            text[i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
        return new String(text, StandardCharsets.ISO_8859_1);
    }
}
