package emp.host.store;

import emp.spi.store.ChangeListener;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The entries of a collection read lately, at most {@code capacity} of them, forgotten as soon as the store's change
 * feed says they changed on any server: for a collection too large to hold whole, read by key far more often than
 * written (sessions' tokens). An entry absent from the store is not remembered, so unknown keys cannot fill it. Past
 * its capacity, about a tenth of what it holds is forgotten at once. While the feed is cut nothing is remembered, as a
 * change would not be told. Thread-safe.
 */
final class RecentEntries implements ChangeListener {
    private final String collection;
    private final StateStore backend;
    private final int capacity;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /**
     * Counts the changes told: a read that saw it move while it asked the store does not remember what it read, which
     * may be older than the change.
     */
    private final AtomicLong changes = new AtomicLong();
    /** Between a cut of the feed and its reset. */
    private volatile boolean cutOff;

    RecentEntries(String collection, StateStore backend, int capacity) {
        this.collection = collection;
        this.backend = backend;
        this.capacity = capacity;
    }

    Optional<Entry> get(String key) {
        Entry known = cutOff ? null : entries.get(key);
        if (known != null) {
            return Optional.of(known);
        }
        long before = changes.get();
        Optional<Entry> read = backend.get(collection, key);
        if (read.isPresent() && changes.get() == before && !cutOff) {
            if (entries.size() >= capacity) {
                forgetSome();
            }
            entries.put(key, read.get());
        }
        return read;
    }

    /** A commit through this server wrote {@code key}. */
    void written(String key) {
        changes.incrementAndGet();
        entries.remove(key);
    }

    int size() {
        return entries.size();
    }

    @Override
    public void changed(String changedCollection, String key) {
        written(key);
    }

    @Override
    public void cut() {
        cutOff = true;
        changes.incrementAndGet();
        entries.clear();
    }

    @Override
    public void reset() {
        changes.incrementAndGet();
        entries.clear();
        cutOff = false;
    }

    private void forgetSome() {
        int toForget = Math.max(1, capacity / 10);
        Iterator<String> keys = entries.keySet().iterator();
        while (toForget-- > 0 && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }
}
