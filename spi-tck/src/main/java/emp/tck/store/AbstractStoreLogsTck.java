package emp.tck.store;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import emp.spi.store.StateStore;
import emp.spi.store.Write;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The state-store kit's suite of append-only logs: {@link StateStore#append} numbers records from 1 and trims the
 * oldest beyond the maximum length without renumbering; {@link StateStore#read} and {@link StateStore#tail} return
 * records oldest first; values round-trip exactly; logs are apart from each other and from entries; and
 * {@link StateStore#deleteLog} removes only its log, which, appended to again, starts again at 1.
 *
 * <p>A store's test runs it with a subclass that says how to make a fresh store ({@link #newStore()}).
 */
public abstract class AbstractStoreLogsTck extends AbstractStateStoreSuite {
    @Test
    void appendNumbersRecordsFromOne() {
        assertThat(store.append("events/alice/songs", "deployed", 100)).isEqualTo(1);
        assertThat(store.append("events/alice/songs", "scaled to 2", 100)).isEqualTo(2);
        assertThat(store.append("events/alice/songs", "scaled to 3", 100)).isEqualTo(3);

        assertThat(store.read("events/alice/songs", 0, 10))
                .containsExactly(
                        new LogRecord(1, "deployed"), new LogRecord(2, "scaled to 2"), new LogRecord(3, "scaled to 3"));
    }

    @Test
    void readReturnsRecordsAfterTheSequenceOldestFirstUpToTheLimit() {
        appendNumbered("log", 10, 100);

        assertThat(store.read("log", 0, 3)).extracting(LogRecord::sequence).containsExactly(1L, 2L, 3L);
        assertThat(store.read("log", 3, 3)).extracting(LogRecord::sequence).containsExactly(4L, 5L, 6L);
        assertThat(store.read("log", 8, 100))
                .containsExactly(new LogRecord(9, "record 9"), new LogRecord(10, "record 10"));
        assertThat(store.read("log", 10, 100)).isEmpty();
        assertThat(store.read("log", 50, 100)).isEmpty();
        assertThat(store.read("log", 0, 0)).isEmpty();
    }

    @Test
    void tailReturnsTheNewestRecordsOldestFirst() {
        appendNumbered("log", 10, 100);

        assertThat(store.tail("log", 3))
                .containsExactly(
                        new LogRecord(8, "record 8"), new LogRecord(9, "record 9"), new LogRecord(10, "record 10"));
        assertThat(store.tail("log", 100)).extracting(LogRecord::sequence).containsExactlyElementsOf(sequences(1, 10));
        assertThat(store.tail("log", 0)).isEmpty();
    }

    @Test
    void absentLogReadsEmpty() {
        assertThat(store.read("never", 0, 10)).isEmpty();
        assertThat(store.tail("never", 10)).isEmpty();
    }

    @Test
    void appendBeyondMaxLengthDropsTheOldestAndKeepsNumbering() {
        appendNumbered("log", 10, 3);

        assertThat(store.tail("log", 100))
                .containsExactly(
                        new LogRecord(8, "record 8"), new LogRecord(9, "record 9"), new LogRecord(10, "record 10"));
        assertThat(store.read("log", 0, 100)).extracting(LogRecord::sequence).containsExactly(8L, 9L, 10L);
        assertThat(store.read("log", 2, 2)).extracting(LogRecord::sequence).containsExactly(8L, 9L);
        assertThat(store.append("log", "record 11", 3)).isEqualTo(11);
        assertThat(store.read("log", 0, 100)).extracting(LogRecord::sequence).containsExactly(9L, 10L, 11L);
    }

    @Test
    void maxLengthOfOneKeepsOnlyTheLastRecord() {
        appendNumbered("log", 5, 1);

        assertThat(store.tail("log", 10)).containsExactly(new LogRecord(5, "record 5"));
    }

    @Test
    void largerMaxLengthKeepsMoreFromThenOn() {
        appendNumbered("log", 5, 2);
        store.append("log", "record 6", 10);
        store.append("log", "record 7", 10);

        assertThat(store.tail("log", 100)).extracting(LogRecord::sequence).containsExactly(4L, 5L, 6L, 7L);
    }

    @Test
    void logValuesRoundTripExactly() {
        List<String> values = List.of(
                "", "Grüße 世界 🎵", "line\nbreak\ttab", "{\"reason\":\"p95 \\\"high\\\"\"}", largeValue(200_000));
        for (String value : values) {
            store.append("log", value, 100);
        }

        assertThat(store.read("log", 0, 100)).extracting(LogRecord::value).containsExactlyElementsOf(values);
    }

    @Test
    void logsAreIndependent() {
        store.append("events/alice/songs", "a1", 100);
        store.append("events/alice/songs", "a2", 100);
        assertThat(store.append("events/alice/songs/v2", "b1", 100)).isEqualTo(1);
        assertThat(store.append("events/alice", "c1", 100)).isEqualTo(1);
        appendNumbered("events/bob/db", 5, 2);

        assertThat(store.tail("events/alice/songs", 10))
                .containsExactly(new LogRecord(1, "a1"), new LogRecord(2, "a2"));
        assertThat(store.tail("events/alice/songs/v2", 10)).containsExactly(new LogRecord(1, "b1"));
        assertThat(store.tail("events/alice", 10)).containsExactly(new LogRecord(1, "c1"));
        assertThat(store.tail("events/bob/db", 10))
                .extracting(LogRecord::sequence)
                .containsExactly(4L, 5L);
    }

    @Test
    void logsAreApartFromEntries() {
        store.commit(Write.create("events", "alice/songs", "an entry"));
        store.append("events/alice/songs", "a record", 10);
        store.append("alice/songs", "another record", 10);

        assertThat(store.list("events")).containsExactly(new Entry("events", "alice/songs", "an entry", 1));
        assertThat(store.tail("events/alice/songs", 10)).containsExactly(new LogRecord(1, "a record"));
        store.deleteLog("events/alice/songs");
        assertThat(store.get("events", "alice/songs")).isPresent();
    }

    @Test
    void deleteLogRemovesOnlyThatLog() {
        appendNumbered("log", 5, 100);
        appendNumbered("log/other", 2, 100);
        appendNumbered("lo", 2, 100);

        store.deleteLog("log");

        assertThat(store.tail("log", 10)).isEmpty();
        assertThat(store.read("log", 0, 10)).isEmpty();
        assertThat(store.tail("log/other", 10)).hasSize(2);
        assertThat(store.tail("lo", 10)).hasSize(2);
    }

    @Test
    void deletedLogStartsAgainFromOne() {
        appendNumbered("log", 5, 100);
        store.deleteLog("log");

        assertThat(store.append("log", "fresh", 100)).isEqualTo(1);
        assertThat(store.tail("log", 10)).containsExactly(new LogRecord(1, "fresh"));
    }

    @Test
    void deleteOfAnAbsentLogDoesNothing() {
        store.deleteLog("never");

        assertThat(store.tail("never", 10)).isEmpty();
        assertThat(store.append("never", "first", 10)).isEqualTo(1);
    }
}
