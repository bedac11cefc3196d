package emp.tck.store;

import static emp.tck.store.Contention.incrementWithRetries;
import static emp.tck.store.Contention.runTogether;
import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.Health;
import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import emp.spi.store.StateStore;
import emp.spi.store.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The state-store kit's suite of a store's life beyond one object: a store closed and opened again over the same data
 * (a restarted server) keeps everything; several store objects over the same data (several servers sharing one
 * store) see each other's writes, and compare-and-set holds across them; and a working store reports itself healthy.
 *
 * <p>A store's test runs it with a subclass that says how to make a fresh store ({@link #newStore()}) and how to
 * open it again ({@link #reopen()}).
 */
public abstract class AbstractStoreLifecycleTck extends AbstractStateStoreSuite {
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

    private StateStore reopened() {
        return started(reopen());
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

    // ---- health

    @Test
    void checkIsHealthyOnAWorkingStore() {
        store.commit(Write.create(APPS, "k", "v"));

        Health health = store.check();

        assertThat(health.healthy()).as("health: %s", health.detail()).isTrue();
        assertThat(health.detail()).isNotBlank();
    }
}
