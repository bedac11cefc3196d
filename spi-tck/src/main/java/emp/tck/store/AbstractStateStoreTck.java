package emp.tck.store;

import static java.util.concurrent.TimeUnit.MINUTES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.Health;
import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite of {@link StateStore}: every store (the embedded file store, Redis, ...) runs it unchanged
 * through a subclass of a few lines that says how to make a fresh store and how to reopen it.
 *
 * <p>Besides what {@link StateStore}, {@link Write} and {@link Entry} say, the kit fixes these points of the
 * contract, which every store must agree on so that the host can be moved from one store to another:
 * <ul>
 *   <li>{@link StateStore#list(String)} orders entries by key, comparing Unicode code points (what a byte
 *       comparison of UTF-8 gives; for keys of the Basic Multilingual Plane it is {@link String#compareTo}).</li>
 *   <li>A delete expecting {@link Write#ABSENT} of an entry that does not exist succeeds and changes nothing: the
 *       expectation is a condition on the current state ("must not exist"), and it holds. A delete with
 *       {@link Write#ANY} of an absent entry also succeeds. A delete expecting a version of an absent entry is a
 *       conflict. Each returns 0.</li>
 *   <li>A deleted entry created again starts at version 1.</li>
 *   <li>A {@link VersionConflictException} reports an absent entry as found at {@link Write#ABSENT}.</li>
 *   <li>A log deleted with {@link StateStore#deleteLog(String)} and appended to again starts again at 1.</li>
 *   <li>Several store objects over the same data (several servers sharing one store) see each other's writes, and
 *       compare-and-set holds across them.</li>
 * </ul>
 * The kit does not cover two writes to the same entry within one commit.
 *
 * <p>The kit starts the store that {@link #newStore()} returns before each test and closes it after.
 */
public abstract class AbstractStateStoreTck {
    private static final String APPS = "apps";
    private static final String ACCOUNTS = "accounts";
    private static final String LEASES = "leases";
    private static final int THREADS = 16;

    /** The store under test, started. */
    protected StateStore store;

    private final List<StateStore> opened = new ArrayList<>();

    /**
     * A fresh, empty store, configured but not started; the kit starts and closes it. Called once per test.
     */
    protected abstract StateStore newStore();

    /**
     * A new store object, configured but not started, over the same data as the store the last {@link #newStore()}
     * returned, as a restarted server or a second server sharing the store would make it. The kit may call it while
     * that store is still open, and after closing it. The kit starts and closes what it returns.
     *
     * <p>The default aborts the tests of durability and sharing, which then show as skipped with this reason: every
     * store must keep its data across a restart, so a store's test should override this.
     */
    protected StateStore reopen() {
        Assumptions.abort(
                "the store's test does not override reopen(), so the kit cannot check durability and sharing");
        throw new AssertionError("unreachable");
    }

    @BeforeEach
    void startStore() {
        store = started(newStore());
    }

    @AfterEach
    void closeStores() {
        for (StateStore each : opened) {
            each.close();
        }
        opened.clear();
    }

    private StateStore started(StateStore fresh) {
        assertThat(fresh).as("the store the test made").isNotNull();
        opened.add(fresh);
        fresh.start();
        return fresh;
    }

    private StateStore reopened() {
        return started(reopen());
    }

    private void closeStore() {
        store.close();
        opened.remove(store);
    }

    // ---- entries: reading

    @Test
    void getOfAnAbsentEntryIsEmpty() {
        assertThat(store.get(APPS, "nobody/nothing")).isEmpty();
    }

    @Test
    void listOfAnEmptyCollectionIsEmpty() {
        assertThat(store.list(APPS)).isEmpty();
    }

    @Test
    void createdEntryIsReadBackAtVersionOne() {
        long version = store.commit(Write.create(APPS, "alice/songs", "{\"replicas\":2}"));

        assertThat(version).isEqualTo(1);
        assertThat(store.get(APPS, "alice/songs")).contains(new Entry(APPS, "alice/songs", "{\"replicas\":2}", 1));
        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "alice/songs", "{\"replicas\":2}", 1));
    }

    @Test
    void listIsOrderedByKey() {
        List<String> keys = List.of("b", "a/z", "a", "A", "a0", "a-b", "a b", "Z", "é", "日本", "10", "9", "_");
        for (String key : keys) {
            store.commit(Write.create(APPS, key, "value of " + key));
        }

        List<String> expected = new ArrayList<>(keys);
        Collections.sort(expected);
        assertThat(store.list(APPS)).extracting(Entry::key).containsExactlyElementsOf(expected);
        assertThat(store.list(APPS)).allSatisfy(entry -> {
            assertThat(entry.collection()).isEqualTo(APPS);
            assertThat(entry.value()).isEqualTo("value of " + entry.key());
            assertThat(entry.version()).isEqualTo(1);
        });
    }

    @Test
    void collectionsAreSeparateEvenWhenTheirNamesShareAPrefix() {
        store.commit(List.of(
                Write.create("app", "x", "in app"),
                Write.create(APPS, "x", "in apps"),
                Write.create("apps-archive", "x", "in apps-archive"),
                Write.create("apps:x", "y", "in apps:x"),
                Write.create("apps/x", "y", "in apps/x")));

        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "x", "in apps", 1));
        assertThat(store.list("app")).containsExactly(new Entry("app", "x", "in app", 1));
        assertThat(store.get("apps-archive", "x")).map(Entry::value).contains("in apps-archive");
        assertThat(store.get("apps/x", "y")).map(Entry::value).contains("in apps/x");
        assertThat(store.get("apps:x", "y")).map(Entry::value).contains("in apps:x");
        assertThat(store.get(APPS, "x/y")).isEmpty();
        assertThat(store.list("ap")).isEmpty();
    }

    @Test
    void keysWithSlashesUnicodeAndPatternCharactersAreKeptApart() {
        List<String> keys = List.of(
                "alice/songs",
                "alice/songs/v2",
                "alice",
                "日本/é",
                "emoji 🚀",
                "*",
                "a*",
                "?",
                "[a]",
                "%",
                "_",
                "'; DROP TABLE entries; --",
                "a:b",
                "back\\slash",
                "tab\tkey",
                " spaced ");
        for (String key : keys) {
            store.commit(Write.create(APPS, key, "value of " + key));
        }

        for (String key : keys) {
            assertThat(store.get(APPS, key)).as("key '%s'", key).contains(new Entry(APPS, key, "value of " + key, 1));
        }
        assertThat(store.list(APPS)).extracting(Entry::key).containsExactlyInAnyOrderElementsOf(keys);
        assertThat(store.get(APPS, "alice/")).isEmpty();
        assertThat(store.get(APPS, "b")).isEmpty();
    }

    // ---- entries: values

    @Test
    void valuesRoundTripExactly() {
        Map<String, String> values = new HashMap<>();
        values.put("empty", "");
        values.put("unicode", "Grüße, 世界, Ελληνικά, עברית, emoji 🎵🚀 and a combining e\u0301");
        values.put("whitespace", "  leading and trailing\n\r\n\ttabs  ");
        values.put("json", "{\"name\":\"songs\",\"envs\":[{\"name\":\"A\",\"value\":\"\\\"quoted\\\"\"}]}");
        values.put("quotes", "it's \"quoted\" and back\\slashed; -- not a comment");
        values.put("large", largeValue(1 << 20));
        for (Map.Entry<String, String> value : values.entrySet()) {
            store.commit(Write.create(APPS, value.getKey(), value.getValue()));
        }

        for (Map.Entry<String, String> value : values.entrySet()) {
            Entry entry = store.get(APPS, value.getKey()).orElseThrow();
            assertThat(entry.value()).as("value '%s'", value.getKey()).isEqualTo(value.getValue());
        }
        assertThat(store.list(APPS)).extracting(Entry::value).containsExactlyInAnyOrderElementsOf(values.values());
    }

    @Test
    void emptyValueIsAnEntryNotADeletion() {
        store.commit(Write.create(APPS, "k", ""));

        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "", 1));
        assertThat(store.commit(Write.update(APPS, "k", "", 1))).isEqualTo(2);
        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "k", "", 2));
    }

    @Test
    void largeValueCanBeReplaced() {
        String large = largeValue(1 << 20);
        store.commit(Write.create(APPS, "big", large));
        String other = "replaced: " + largeValue((1 << 20) + 17);

        assertThat(store.commit(Write.update(APPS, "big", other, 1))).isEqualTo(2);
        assertThat(store.get(APPS, "big").orElseThrow().value()).isEqualTo(other);
    }

    // ---- entries: compare-and-set

    @Test
    void updateWithTheCurrentVersionIncrementsIt() {
        store.commit(Write.create(APPS, "k", "v1"));

        assertThat(store.commit(Write.update(APPS, "k", "v2", 1))).isEqualTo(2);
        assertThat(store.commit(Write.update(APPS, "k", "v3", 2))).isEqualTo(3);
        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "v3", 3));
    }

    @Test
    void updateWithAStaleVersionIsRefusedAndWritesNothing() {
        store.commit(Write.create(APPS, "alice/songs", "v1"));
        store.commit(Write.update(APPS, "alice/songs", "v2", 1));

        assertConflict(() -> store.commit(Write.update(APPS, "alice/songs", "stale", 1)), APPS, "alice/songs");
        assertConflict(() -> store.commit(Write.update(APPS, "alice/songs", "ahead", 3)), APPS, "alice/songs");
        assertThat(store.get(APPS, "alice/songs")).contains(new Entry(APPS, "alice/songs", "v2", 2));
    }

    @Test
    void conflictNamesTheEntryAndTheVersions() {
        store.commit(Write.create(ACCOUNTS, "bob", "v1"));

        assertThatThrownBy(() -> store.commit(Write.update(ACCOUNTS, "bob", "stale", 7)))
                .isInstanceOfSatisfying(VersionConflictException.class, conflict -> {
                    assertThat(conflict.category()).isEqualTo(ErrorCategory.CONFLICT);
                    assertThat(conflict.collection()).isEqualTo(ACCOUNTS);
                    assertThat(conflict.key()).isEqualTo("bob");
                    assertThat(conflict.getMessage()).contains("'accounts/bob'", "expected version 7", "found 1");
                });
        assertThatThrownBy(() -> store.commit(Write.update(ACCOUNTS, "carol", "new", 2)))
                .isInstanceOfSatisfying(
                        VersionConflictException.class,
                        conflict -> assertThat(conflict.getMessage())
                                .contains("'accounts/carol'", "expected version 2", "found absent"));
        assertThatThrownBy(() -> store.commit(Write.create(ACCOUNTS, "bob", "again")))
                .isInstanceOfSatisfying(
                        VersionConflictException.class,
                        conflict -> assertThat(conflict.getMessage())
                                .contains("'accounts/bob'", "expected version absent", "found 1"));
    }

    @Test
    void createOfAnExistingEntryIsRefused() {
        store.commit(Write.create(APPS, "k", "first"));

        assertConflict(() -> store.commit(Write.create(APPS, "k", "second")), APPS, "k");
        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "first", 1));
    }

    @Test
    void updateOfAnAbsentEntryIsRefused() {
        assertConflict(() -> store.commit(Write.update(APPS, "ghost", "v", 1)), APPS, "ghost");
        assertThat(store.get(APPS, "ghost")).isEmpty();
        assertThat(store.list(APPS)).isEmpty();
    }

    @Test
    void unconditionalWriteCreatesAndOverwrites() {
        assertThat(store.commit(Write.update(APPS, "k", "created", Write.ANY))).isEqualTo(1);
        assertThat(store.commit(Write.update(APPS, "k", "overwritten", Write.ANY)))
                .isEqualTo(2);
        store.commit(Write.update(APPS, "k", "by version", 2));
        assertThat(store.commit(Write.update(APPS, "k", "again", Write.ANY))).isEqualTo(4);

        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "again", 4));
    }

    @Test
    void deleteWithTheCurrentVersionRemovesTheEntry() {
        store.commit(Write.create(APPS, "k", "v1"));
        store.commit(Write.update(APPS, "k", "v2", 1));

        assertThat(store.commit(Write.delete(APPS, "k", 2))).isZero();
        assertThat(store.get(APPS, "k")).isEmpty();
        assertThat(store.list(APPS)).isEmpty();
    }

    @Test
    void deleteWithAStaleVersionIsRefusedAndKeepsTheEntry() {
        store.commit(Write.create(APPS, "k", "v1"));
        store.commit(Write.update(APPS, "k", "v2", 1));

        assertConflict(() -> store.commit(Write.delete(APPS, "k", 1)), APPS, "k");
        assertConflict(() -> store.commit(Write.delete(APPS, "k", Write.ABSENT)), APPS, "k");
        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "v2", 2));
    }

    @Test
    void unconditionalDeleteRemovesTheEntry() {
        store.commit(Write.create(APPS, "k", "v1"));
        store.commit(Write.update(APPS, "k", "v2", 1));

        assertThat(store.commit(Write.delete(APPS, "k", Write.ANY))).isZero();
        assertThat(store.get(APPS, "k")).isEmpty();
    }

    @Test
    void deleteOfAnAbsentEntryExpectingAbsentOrAnySucceedsAndChangesNothing() {
        store.commit(Write.create(APPS, "other", "kept"));

        assertThat(store.commit(Write.delete(APPS, "ghost", Write.ABSENT))).isZero();
        assertThat(store.commit(Write.delete(APPS, "ghost", Write.ANY))).isZero();
        assertThat(store.get(APPS, "ghost")).isEmpty();
        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "other", "kept", 1));
    }

    @Test
    void deleteOfAnAbsentEntryExpectingAVersionIsRefused() {
        assertConflict(() -> store.commit(Write.delete(APPS, "ghost", 1)), APPS, "ghost");
        assertThat(store.get(APPS, "ghost")).isEmpty();
    }

    @Test
    void deletedEntryCanBeCreatedAgainFromVersionOne() {
        store.commit(Write.create(APPS, "k", "v1"));
        store.commit(Write.update(APPS, "k", "v2", 1));
        store.commit(Write.delete(APPS, "k", 2));

        assertThat(store.commit(Write.create(APPS, "k", "reborn"))).isEqualTo(1);
        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "reborn", 1));
    }

    // ---- entries: multi-write commits

    @Test
    void emptyCommitReturnsNoVersions() {
        assertThat(store.commit(List.of())).isEmpty();
    }

    @Test
    void commitReturnsTheNewVersionOfEachWriteInOrder() {
        store.commit(Write.create(APPS, "updated", "v1"));
        store.commit(Write.update(APPS, "updated", "v2", 1));
        store.commit(Write.create(APPS, "deleted", "v1"));
        store.commit(Write.create(ACCOUNTS, "overwritten", "v1"));

        List<Long> versions = store.commit(List.of(
                Write.create(APPS, "created", "new"),
                Write.update(APPS, "updated", "v3", 2),
                Write.delete(APPS, "deleted", 1),
                Write.update(ACCOUNTS, "overwritten", "v2", Write.ANY),
                Write.delete(ACCOUNTS, "never", Write.ABSENT)));

        assertThat(versions).containsExactly(1L, 3L, 0L, 2L, 0L);
        assertThat(store.list(APPS))
                .containsExactly(new Entry(APPS, "created", "new", 1), new Entry(APPS, "updated", "v3", 3));
        assertThat(store.list(ACCOUNTS)).containsExactly(new Entry(ACCOUNTS, "overwritten", "v2", 2));
    }

    @Test
    void commitWithOneStaleWriteAppliesNone() {
        store.commit(Write.create(APPS, "a", "a1"));
        store.commit(Write.create(APPS, "b", "b1"));
        store.commit(Write.update(APPS, "b", "b2", 1));
        store.commit(Write.create(APPS, "d", "d1"));
        List<Entry> before = store.list(APPS);

        assertConflict(
                () -> store.commit(List.of(
                        Write.update(APPS, "a", "a2", 1),
                        Write.create(APPS, "c", "c1"),
                        Write.delete(APPS, "d", 1),
                        Write.update(ACCOUNTS, "x", "x1", Write.ANY),
                        Write.update(APPS, "b", "stale", 1))),
                APPS,
                "b");

        assertThat(store.list(APPS)).isEqualTo(before);
        assertThat(store.list(ACCOUNTS)).isEmpty();
    }

    @Test
    void commitWhoseFirstWriteIsStaleAppliesNone() {
        store.commit(Write.create(APPS, "a", "a1"));

        assertConflict(
                () -> store.commit(List.of(Write.create(APPS, "a", "again"), Write.create(APPS, "b", "b1"))),
                APPS,
                "a");

        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "a", "a1", 1));
    }

    @Test
    void failedCommitLeavesTheStoreUsable() {
        store.commit(Write.create(APPS, "a", "a1"));
        assertConflict(
                () -> store.commit(List.of(Write.create(APPS, "b", "b1"), Write.create(APPS, "a", "a2"))), APPS, "a");

        assertThat(store.commit(List.of(Write.create(APPS, "b", "b1"), Write.update(APPS, "a", "a2", 1))))
                .containsExactly(1L, 2L);
        assertThat(store.list(APPS)).containsExactly(new Entry(APPS, "a", "a2", 2), new Entry(APPS, "b", "b1", 1));
    }

    @Test
    void checkAtTheCurrentVersionLetsTheCommitThroughAndChangesNothing() {
        store.commit(Write.create(LEASES, "leader", "server-a"));

        List<Long> versions = store.commit(
                List.of(Write.check(LEASES, "leader", 1), Write.create(APPS, "a", "a1"), Write.check(LEASES, "x", 0)));

        assertThat(versions).containsExactly(1L, 1L, 0L);
        assertThat(store.get(LEASES, "leader")).contains(new Entry(LEASES, "leader", "server-a", 1));
        assertThat(store.list(LEASES)).hasSize(1);
        assertThat(store.get(APPS, "a")).isPresent();
    }

    @Test
    void staleCheckRefusesTheWholeCommit() {
        store.commit(Write.create(LEASES, "leader", "server-a"));
        store.commit(Write.update(LEASES, "leader", "server-b", 1));

        assertConflict(
                () -> store.commit(List.of(Write.create(APPS, "a", "a1"), Write.check(LEASES, "leader", 1))),
                LEASES,
                "leader");
        assertConflict(() -> store.commit(List.of(Write.check(LEASES, "leader", Write.ABSENT))), LEASES, "leader");
        assertConflict(() -> store.commit(List.of(Write.check(LEASES, "gone", 3))), LEASES, "gone");

        assertThat(store.list(APPS)).isEmpty();
        assertThat(store.get(LEASES, "leader")).contains(new Entry(LEASES, "leader", "server-b", 2));
    }

    @Test
    void checkCannotCarryAValueOrExpectAnyVersion() {
        assertThatThrownBy(() -> Write.check(LEASES, "leader", Write.ANY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Write(LEASES, "leader", "v", 1, Write.Kind.CHECK))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- logs

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

    // ---- durability and sharing

    @Test
    void reopenedStoreKeepsEverything() {
        store.commit(Write.create(APPS, "alice/songs", "v1"));
        store.commit(Write.update(APPS, "alice/songs", "v2", 1));
        store.commit(Write.create(APPS, "bob/db", "gone soon"));
        store.commit(Write.delete(APPS, "bob/db", 1));
        store.commit(Write.create(ACCOUNTS, "alice", "Grüße 🎵"));
        String large = largeValue(1 << 20);
        store.commit(Write.create(APPS, "large", large));
        appendNumbered("events/alice/songs", 6, 4);
        appendNumbered("events/bob/db", 2, 100);
        store.deleteLog("events/bob/db");
        List<Entry> apps = store.list(APPS);
        List<Entry> accounts = store.list(ACCOUNTS);
        closeStore();

        StateStore again = reopened();

        assertThat(again.list(APPS)).isEqualTo(apps);
        assertThat(again.list(ACCOUNTS)).isEqualTo(accounts);
        assertThat(again.get(APPS, "large").orElseThrow().value()).isEqualTo(large);
        assertThat(again.get(APPS, "bob/db")).isEmpty();
        assertThat(again.tail("events/alice/songs", 10))
                .extracting(LogRecord::sequence)
                .containsExactly(3L, 4L, 5L, 6L);
        assertThat(again.tail("events/bob/db", 10)).isEmpty();
        assertThat(again.append("events/alice/songs", "after restart", 4)).isEqualTo(7);
        assertThat(again.commit(Write.update(APPS, "alice/songs", "v3", 2))).isEqualTo(3);
        assertConflict(() -> again.commit(Write.create(ACCOUNTS, "alice", "again")), ACCOUNTS, "alice");
    }

    @Test
    void storesSharingDataSeeEachOtherAndConflict() {
        StateStore other = reopened();

        store.commit(Write.create(APPS, "k", "from the first"));
        assertThat(other.get(APPS, "k")).contains(new Entry(APPS, "k", "from the first", 1));
        assertThat(other.commit(Write.update(APPS, "k", "from the second", 1))).isEqualTo(2);
        assertConflict(() -> store.commit(Write.update(APPS, "k", "stale", 1)), APPS, "k");
        assertThat(store.get(APPS, "k")).contains(new Entry(APPS, "k", "from the second", 2));
        assertThat(store.append("log", "first", 10)).isEqualTo(1);
        assertThat(other.append("log", "second", 10)).isEqualTo(2);
        assertThat(store.tail("log", 10)).extracting(LogRecord::value).containsExactly("first", "second");
    }

    @Test
    void compareAndSetHoldsAcrossStoresSharingData() throws Exception {
        StateStore other = reopened();
        store.commit(Write.create(APPS, "counter", "0"));
        int perThread = 15;
        List<StateStore> stores = List.of(store, other);

        List<Callable<Void>> workers = new ArrayList<>();
        for (int thread = 0; thread < 4; thread++) {
            StateStore mine = stores.get(thread % 2);
            workers.add(() -> {
                incrementWithRetries(mine, "counter", perThread);
                return null;
            });
        }
        runTogether(workers);

        assertThat(store.get(APPS, "counter"))
                .contains(new Entry(APPS, "counter", Integer.toString(4 * perThread), 4 * perThread + 1));
    }

    // ---- concurrency

    @Test
    void concurrentCompareAndSetHasExactlyOneWinnerPerVersion() throws Exception {
        store.commit(Write.create(APPS, "contested", "start"));
        int rounds = 8;

        for (long version = 1; version <= rounds; version++) {
            long expected = version;
            List<Callable<Boolean>> attempts = new ArrayList<>();
            for (int thread = 0; thread < THREADS; thread++) {
                String value = "round " + version + " thread " + thread;
                attempts.add(() -> {
                    try {
                        assertThat(store.commit(Write.update(APPS, "contested", value, expected)))
                                .isEqualTo(expected + 1);
                        return true;
                    } catch (VersionConflictException conflict) {
                        assertThat(conflict.key()).isEqualTo("contested");
                        return false;
                    }
                });
            }

            List<Boolean> won = runTogether(attempts);

            assertThat(won).as("winners of round %d", version).containsOnlyOnce(true);
            String winner = "round " + version + " thread " + won.indexOf(true);
            assertThat(store.get(APPS, "contested")).contains(new Entry(APPS, "contested", winner, version + 1));
        }
    }

    @Test
    void concurrentCreatesOfOneKeyHaveExactlyOneWinner() throws Exception {
        List<Callable<Boolean>> attempts = new ArrayList<>();
        for (int thread = 0; thread < THREADS; thread++) {
            String value = "thread " + thread;
            attempts.add(() -> {
                try {
                    store.commit(Write.create(ACCOUNTS, "alice", value));
                    return true;
                } catch (VersionConflictException conflict) {
                    return false;
                }
            });
        }

        List<Boolean> won = runTogether(attempts);

        assertThat(won).containsOnlyOnce(true);
        assertThat(store.get(ACCOUNTS, "alice"))
                .contains(new Entry(ACCOUNTS, "alice", "thread " + won.indexOf(true), 1));
    }

    @Test
    void counterIncrementedWithRetryLoopsEndsAtTheTotal() throws Exception {
        store.commit(Write.create(APPS, "counter", "0"));
        int threads = 8;
        int perThread = 20;

        List<Callable<Void>> workers = new ArrayList<>();
        for (int thread = 0; thread < threads; thread++) {
            workers.add(() -> {
                incrementWithRetries(store, "counter", perThread);
                return null;
            });
        }
        runTogether(workers);

        int total = threads * perThread;
        assertThat(store.get(APPS, "counter")).contains(new Entry(APPS, "counter", Integer.toString(total), total + 1));
    }

    @Test
    void concurrentMultiWriteCommitsNeverInterleave() throws Exception {
        store.commit(List.of(Write.create(APPS, "left", "0"), Write.create(APPS, "right", "0")));
        int threads = 8;
        int perThread = 10;
        AtomicLong moves = new AtomicLong();

        // Each commit moves one unit from one entry to the other, expecting both versions: the sum stays zero only
        // if no commit is applied half, or on top of another one it did not see.
        List<Callable<Void>> workers = new ArrayList<>();
        for (int thread = 0; thread < threads; thread++) {
            workers.add(() -> {
                for (int done = 0; done < perThread; ) {
                    Entry left = store.get(APPS, "left").orElseThrow();
                    Entry right = store.get(APPS, "right").orElseThrow();
                    try {
                        store.commit(List.of(
                                Write.update(
                                        APPS, "left", Long.toString(Long.parseLong(left.value()) - 1), left.version()),
                                Write.update(
                                        APPS,
                                        "right",
                                        Long.toString(Long.parseLong(right.value()) + 1),
                                        right.version())));
                        moves.incrementAndGet();
                        done++;
                    } catch (VersionConflictException conflict) {
                        Thread.onSpinWait();
                    }
                }
                return null;
            });
        }
        runTogether(workers);

        long total = moves.get();
        assertThat(total).isEqualTo(threads * perThread);
        assertThat(store.get(APPS, "left")).contains(new Entry(APPS, "left", Long.toString(-total), total + 1));
        assertThat(store.get(APPS, "right")).contains(new Entry(APPS, "right", Long.toString(total), total + 1));
    }

    @Test
    void concurrentAppendsGetUniqueGapFreeSequences() throws Exception {
        int threads = 8;
        int perThread = 30;
        Map<String, Long> sequenceOf = new ConcurrentHashMap<>();

        List<Callable<Void>> workers = new ArrayList<>();
        for (int thread = 0; thread < threads; thread++) {
            int me = thread;
            workers.add(() -> {
                for (int i = 0; i < perThread; i++) {
                    String value = "thread " + me + " record " + i;
                    sequenceOf.put(value, store.append("events/busy", value, 10_000));
                }
                return null;
            });
        }
        runTogether(workers);

        int total = threads * perThread;
        assertThat(new HashSet<>(sequenceOf.values()))
                .hasSize(total)
                .containsExactlyInAnyOrderElementsOf(sequences(1, total));
        List<LogRecord> records = store.read("events/busy", 0, total + 10);
        assertThat(records).extracting(LogRecord::sequence).containsExactlyElementsOf(sequences(1, total));
        for (LogRecord record : records) {
            assertThat(sequenceOf.get(record.value()))
                    .as("sequence returned for '%s'", record.value())
                    .isEqualTo(record.sequence());
        }
    }

    @Test
    void concurrentAppendsWithTrimmingKeepTheNewest() throws Exception {
        int threads = 4;
        int perThread = 25;
        List<Callable<Void>> workers = new ArrayList<>();
        for (int thread = 0; thread < threads; thread++) {
            workers.add(() -> {
                for (int i = 0; i < perThread; i++) {
                    store.append("events/trimmed", "record", 10);
                }
                return null;
            });
        }
        runTogether(workers);

        int total = threads * perThread;
        assertThat(store.read("events/trimmed", 0, 1000))
                .extracting(LogRecord::sequence)
                .containsExactlyElementsOf(sequences(total - 9, total));
    }

    // ---- health

    @Test
    void checkIsHealthyOnAWorkingStore() {
        store.commit(Write.create(APPS, "k", "v"));

        Health health = store.check();

        assertThat(health.healthy()).as("health: %s", health.detail()).isTrue();
        assertThat(health.detail()).isNotBlank();
    }

    // ---- helpers

    /** Asserts that {@code call} fails with a {@link VersionConflictException} about {@code collection/key}. */
    protected static void assertConflict(Runnable call, String collection, String key) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(VersionConflictException.class, conflict -> {
            assertThat(conflict.category()).isEqualTo(ErrorCategory.CONFLICT);
            assertThat(conflict.collection()).isEqualTo(collection);
            assertThat(conflict.key()).isEqualTo(key);
            assertThat(conflict.getMessage()).contains("'" + collection + "/" + key + "'");
        });
    }

    private void appendNumbered(String log, int count, int maxLength) {
        for (int i = 1; i <= count; i++) {
            assertThat(store.append(log, "record " + i, maxLength)).isEqualTo(i);
        }
    }

    private static List<Long> sequences(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().collect(Collectors.toList());
    }

    /** Adds one to the number in {@code apps/key}, {@code times} times, re-reading and retrying on every conflict. */
    private static void incrementWithRetries(StateStore target, String key, int times) {
        for (int done = 0; done < times; ) {
            Entry current = target.get(APPS, key).orElseThrow();
            String next = Integer.toString(Integer.parseInt(current.value()) + 1);
            try {
                target.commit(Write.update(APPS, key, next, current.version()));
                done++;
            } catch (VersionConflictException conflict) {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Runs the tasks on threads of their own, released together so that they contend, and returns their results
     * in order. A task's exception or assertion failure fails the test.
     */
    private static <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch ready = new CountDownLatch(tasks.size());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return task.call();
                }));
            }
            ready.await();
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                // A generous bound only so that a deadlocked store fails the test instead of hanging the build.
                results.add(future.get(2, MINUTES));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A value of {@code chars} characters mixing ASCII, two- and three-byte characters and surrogate pairs. */
    private static String largeValue(int chars) {
        String pattern = "EMP stores JSON; Grüße 世界 🎵 0123456789 \"quoted\" \\ end.\n";
        StringBuilder value = new StringBuilder(chars + pattern.length());
        int line = 0;
        while (value.length() < chars) {
            value.append(line++).append(' ').append(pattern);
        }
        value.setLength(chars);
        if (Character.isHighSurrogate(value.charAt(chars - 1))) {
            value.setCharAt(chars - 1, 'x');
        }
        return value.toString();
    }
}
