package emp.tck.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.store.ChangeListener;
import emp.spi.store.StateStore;
import emp.spi.store.Write;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit of a state store's change feed ({@link StateStore#watch}), for a store that has one: a watcher
 * is told of every put and delete of its collection, by this store object or another over the same data (as a second
 * server sharing the store), soon; not of other collections; not after its watch is closed; and one watcher that
 * throws does not keep the others from being told. A store's test subclasses it with the two methods its
 * {@link AbstractStoreLifecycleTck} subclass has.
 */
public abstract class AbstractChangeFeedTck {
    /** How soon a change must be told, far above what a store needs, so that a slow machine does not fail the kit. */
    private static final Duration SOON = Duration.ofSeconds(10);

    private final List<StateStore> opened = new ArrayList<>();
    private final List<AutoCloseable> watches = new ArrayList<>();

    /** A fresh, empty store, configured but not started; the kit starts and closes it. */
    protected abstract StateStore newStore();

    /** A new store object over the same data as the last {@link #newStore()}'s, as a second server would make it. */
    protected abstract StateStore reopen();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable watch : watches) {
            watch.close();
        }
        for (StateStore store : opened) {
            store.close();
        }
    }

    @Test
    void aWatcherIsToldOfEveryPutAndDeleteOfItsCollectionAndOfNoOther() {
        StateStore store = started(newStore());
        Recorder apps = watch(store, "apps");
        Recorder accounts = watch(store, "accounts");

        long version = store.commit(Write.create("apps", "a", "1"));
        store.commit(Write.update("apps", "a", "2", version));
        store.commit(List.of(Write.check("apps", "checked", Write.ABSENT), Write.create("accounts", "ann", "{}")));
        store.commit(Write.delete("apps", "a", version + 1));
        store.commit(Write.create("apps", "last", "x"));

        await().atMost(SOON).until(() -> apps.keys().contains("last"));
        assertThat(apps.keys()).as("a put, an update and a delete of 'a'").contains("a");
        assertThat(apps.keys()).as("a check changes nothing").doesNotContain("checked");
        assertThat(apps.keys()).doesNotContain("ann");
        await().atMost(SOON).until(() -> accounts.keys().contains("ann"));
        assertThat(accounts.keys()).containsOnly("ann");
    }

    @Test
    void aChangeThroughAnotherStoreObjectOverTheSameDataIsToldOrTheWatcherIsToldToReadAgain() {
        StateStore store = started(newStore());
        StateStore peer = started(reopen());
        Recorder apps = watch(store, "apps");

        peer.commit(Write.create("apps", "from-peer", "1"));

        await().atMost(SOON).until(() -> apps.keys().contains("from-peer") || apps.resets.get() > 0);
    }

    @Test
    void aClosedWatchIsToldNothingMoreAndAThrowingWatcherDoesNotSilenceTheOthers() throws Exception {
        StateStore store = started(newStore());
        Recorder closed = new Recorder();
        AutoCloseable watch = store.watch("apps", closed).orElseThrow();
        store.watch("apps", new ChangeListener() {
                    @Override
                    public void changed(String collection, String key) {
                        throw new IllegalStateException("a watcher that fails");
                    }

                    @Override
                    public void cut() {}

                    @Override
                    public void reset() {}
                })
                .ifPresent(watches::add);
        Recorder open = watch(store, "apps");

        store.commit(Write.create("apps", "first", "1"));
        await().atMost(SOON).until(() -> open.keys().contains("first"));
        await().atMost(SOON).until(() -> closed.keys().contains("first"));
        watch.close();
        store.commit(Write.create("apps", "second", "1"));
        store.commit(Write.create("apps", "third", "1"));

        await().atMost(SOON).until(() -> open.keys().contains("third"));
        assertThat(closed.keys()).doesNotContain("second", "third");
    }

    private StateStore started(StateStore store) {
        opened.add(store);
        store.start();
        return store;
    }

    private Recorder watch(StateStore store, String collection) {
        Recorder recorder = new Recorder();
        Optional<AutoCloseable> watch = store.watch(collection, recorder);
        assertThat(watch)
                .as("the store has a change feed (else it needs no change-feed kit)")
                .isPresent();
        watches.add(watch.get());
        return recorder;
    }

    /** What a watcher was told: the keys, and how many times to read everything again. */
    private static final class Recorder implements ChangeListener {
        final List<String> told = new CopyOnWriteArrayList<>();
        final AtomicInteger resets = new AtomicInteger();

        @Override
        public void changed(String collection, String key) {
            told.add(key);
        }

        @Override
        public void cut() {}

        @Override
        public void reset() {
            resets.incrementAndGet();
        }

        List<String> keys() {
            return told;
        }
    }
}
