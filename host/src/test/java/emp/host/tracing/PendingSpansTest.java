package emp.host.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.tracing.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PendingSpansTest {
    private static final String TRACE = "463ac35c9f6413ad48485a3953bb6124";

    @Test
    void spansComeBackAsTheyWentInWithOnlyTheErrorTagKept() {
        Random random = new Random(1);
        PendingSpans pending = new PendingSpans(2, new StringTable());
        List<Span> in = new ArrayList<>();
        int tail = -1;
        int head = -1;
        for (int i = 0; i < 100; i++) {
            Span.Kind kind = i % 5 == 0 ? null : Span.Kind.values()[i % 4];
            Span span = new Span(
                    TRACE,
                    PendingSpans.hex(random.nextLong() | 1),
                    i == 0 ? null : in.get(random.nextInt(i)).id(),
                    i % 7 == 0 ? null : "get /songs/" + i % 3,
                    kind,
                    i % 6 == 0 ? null : "alice/app" + i % 4,
                    i % 2 == 0 ? null : "alice/other",
                    random.nextLong() & Long.MAX_VALUE,
                    random.nextInt(1_000_000),
                    i % 3 == 0 ? Map.of("error", "500", "http.path", "/x") : Map.of("http.path", "/x"),
                    i % 4 == 1 && kind != Span.Kind.CLIENT);
            in.add(span);
            tail = pending.append(span, tail);
            head = head < 0 ? tail : head;
        }
        assertThat(pending.size()).isEqualTo(100);

        List<Span> out = pending.take(head, 100, TRACE);

        assertThat(pending.size()).isZero();
        assertThat(out).hasSize(100);
        for (int i = 0; i < 100; i++) {
            Span expected = in.get(i);
            assertThat(out.get(i))
                    .isEqualTo(new Span(
                            TRACE,
                            expected.id(),
                            expected.parentId(),
                            expected.name(),
                            expected.kind(),
                            expected.localService(),
                            expected.remoteService(),
                            expected.timestampMicros(),
                            expected.durationMicros(),
                            expected.isError() ? Map.of("error", "500") : Map.of(),
                            expected.shared()));
        }
    }

    @Test
    void aSpanWhoseIdsAreNotCanonicalIsKeptWhole() {
        PendingSpans pending = new PendingSpans(4, new StringTable());
        Span odd = new Span(TRACE, "a", null, "op", Span.Kind.SERVER, "alice/a", null, 1, 2, Map.of("k", "v"), false);
        Span upper = new Span(TRACE, "00000000000000AB", "a", "op", null, "alice/a", null, 1, 2, Map.of(), false);
        Span parent = new Span(TRACE, "00000000000000ab", "b", "op", null, "alice/a", null, 1, 2, Map.of(), false);
        int head = pending.append(odd, -1);
        int tail = pending.append(upper, head);
        pending.append(parent, tail);

        assertThat(pending.take(head, 3, TRACE)).containsExactly(odd, upper, parent);
    }

    @Test
    void freedSlotsAreTakenAgainSoTheColumnsHoldOnlyWhatWaits() {
        PendingSpans pending = new PendingSpans(16, new StringTable());
        for (int round = 0; round < 10_000; round++) {
            int head = -1;
            int tail = -1;
            for (int i = 0; i < 11; i++) {
                tail = pending.append(
                        new Span(
                                TRACE,
                                PendingSpans.hex(i + 1),
                                null,
                                "op",
                                null,
                                "alice/a",
                                null,
                                0,
                                0,
                                Map.of(),
                                false),
                        tail);
                head = head < 0 ? tail : head;
            }
            assertThat(pending.size()).isEqualTo(11);
            assertThat(pending.take(head, 11, TRACE)).hasSize(11);
        }
        assertThat(pending.size()).isZero();
        assertThat(pending.capacity())
                .as("slots reused, never grown past what waited at once")
                .isEqualTo(16);
    }
}
