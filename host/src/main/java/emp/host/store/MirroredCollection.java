package emp.host.store;

import emp.spi.PlatformException;
import emp.spi.store.ChangeListener;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole collection of the store in memory, kept current by the store's change feed: a changed key is read again on
 * the refresher, a reset reads the whole collection again. Reads never touch the store. A commit through this server
 * is applied at once ({@link #written}), so a server reads its own writes; another server's are seen about a round
 * trip after they are committed. Entries are ordered as the store orders them, so the keys that start with a prefix
 * are one range. While the feed is cut (the store away) what is held may be out of date, so reads go to the store
 * (and fail as it does) until the feed is back and the collection read again. Thread-safe.
 */
final class MirroredCollection implements ChangeListener {
    private static final Logger log = LoggerFactory.getLogger(MirroredCollection.class);

    private final String collection;
    private final StateStore backend;
    private final Executor refresher;
    /** The entries by key, for reads by key at the cost of a hash. */
    private volatile Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** The same keys in the store's order, for lists and ranges. */
    private volatile NavigableSet<String> keys = new ConcurrentSkipListSet<>(Entry.KEY_ORDER);
    /** Keys told changed and not yet read again; guarded by itself. */
    private final Set<String> dirty = new LinkedHashSet<>();

    private boolean resetPending;
    /** Whether what is held is current: not between a cut of the feed and the reading again that follows it. */
    private volatile boolean current = true;
    /** Counts cuts, so that a reading again that a cut overtook does not count as current. */
    private final AtomicLong cuts = new AtomicLong();

    MirroredCollection(String collection, StateStore backend, Executor refresher) {
        this.collection = collection;
        this.backend = backend;
        this.refresher = refresher;
    }

    /** Reads the whole collection; called once the watch is in place, so no change is missed. */
    void load() {
        long cutsBefore = cuts.get();
        Map<String, Entry> loaded = new ConcurrentHashMap<>();
        NavigableSet<String> ordered = new ConcurrentSkipListSet<>(Entry.KEY_ORDER);
        for (Entry entry : backend.list(collection)) {
            loaded.put(entry.key(), entry);
            ordered.add(entry.key());
        }
        entries = loaded;
        keys = ordered;
        current = cuts.get() == cutsBefore;
    }

    Optional<Entry> get(String key) {
        return current ? Optional.ofNullable(entries.get(key)) : backend.get(collection, key);
    }

    List<Entry> list() {
        if (!current) {
            return backend.list(collection);
        }
        Map<String, Entry> now = entries;
        List<Entry> found = new ArrayList<>(now.size());
        for (String key : keys) {
            Entry entry = now.get(key);
            if (entry != null) {
                found.add(entry);
            }
        }
        return found;
    }

    /** The entries whose keys start with {@code prefix}, in order. */
    List<Entry> withPrefix(String prefix) {
        if (!current) {
            return backend.list(collection).stream()
                    .filter(entry -> entry.key().startsWith(prefix))
                    .toList();
        }
        Map<String, Entry> now = entries;
        List<Entry> found = new ArrayList<>();
        for (String key : keys.tailSet(prefix, true)) {
            if (!key.startsWith(prefix)) {
                break;
            }
            Entry entry = now.get(key);
            if (entry != null) {
                found.add(entry);
            }
        }
        return found;
    }

    int size() {
        return entries.size();
    }

    /**
     * A commit through this server wrote {@code key}: {@code entry} is what it holds now, or null when deleted. Of two
     * commits to one key told out of order, the later version stays; the change feed corrects what else may be off.
     */
    void written(String key, Entry entry) {
        if (entry == null) {
            remove(key);
        } else {
            entries.merge(key, entry, (held, next) -> next.version() >= held.version() ? next : held);
            keys.add(key);
        }
    }

    private void remove(String key) {
        entries.remove(key);
        keys.remove(key);
    }

    /** Reads {@code key} again now, on the caller's thread: after a conflict, the next attempt sees what won. */
    void readAgain(String key) {
        Optional<Entry> now = backend.get(collection, key);
        if (now.isPresent()) {
            entries.put(key, now.get());
            keys.add(key);
        } else {
            remove(key);
        }
    }

    @Override
    public void changed(String changedCollection, String key) {
        boolean schedule;
        synchronized (dirty) {
            schedule = dirty.isEmpty() && !resetPending;
            dirty.add(key);
        }
        if (schedule) {
            refresher.execute(this::refresh);
        }
    }

    @Override
    public void cut() {
        cuts.incrementAndGet();
        current = false;
    }

    @Override
    public void reset() {
        boolean schedule;
        synchronized (dirty) {
            schedule = dirty.isEmpty() && !resetPending;
            resetPending = true;
            dirty.clear();
        }
        if (schedule) {
            refresher.execute(this::refresh);
        }
    }

    /** On the refresher: reads again what changed, and the whole collection after a reset. */
    private void refresh() {
        List<String> keys;
        boolean all;
        synchronized (dirty) {
            keys = List.copyOf(dirty);
            all = resetPending;
            dirty.clear();
            resetPending = false;
        }
        try {
            if (all) {
                load();
                return;
            }
            for (String key : keys) {
                readAgain(key);
            }
        } catch (PlatformException e) {
            // The store away: read everything again once it answers.
            log.warn("cannot read '{}' again from the store ({}); trying again", collection, e.getMessage());
            retryLater();
        } catch (RuntimeException e) {
            log.error("reading '{}' again from the store failed; trying again", collection, e);
            retryLater();
        }
    }

    private void retryLater() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        reset();
    }
}
