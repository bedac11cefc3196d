package emp.tck.store;

import static emp.tck.store.Contention.incrementWithRetries;
import static emp.tck.store.Contention.runTogether;
import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The state-store kit's suite of contention on one store object: threads released together on one entry, on two
 * entries committed together and on one log. Compare-and-set has exactly one winner per version, a counter
 * incremented with retry loops ends at the total, multi-write commits never interleave, and concurrent appends get
 * unique, gap-free sequences and trim to the newest. (Contention across several store objects over the same data is
 * in {@link AbstractStoreLifecycleTck}.)
 *
 * <p>A store's test runs it with a subclass that says how to make a fresh store ({@link #newStore()}).
 */
public abstract class AbstractStoreConcurrencyTck extends AbstractStateStoreSuite {
    private static final int THREADS = 16;

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
}
