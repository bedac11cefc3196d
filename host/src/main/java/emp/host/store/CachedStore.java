package emp.host.store;

import static java.util.Objects.requireNonNull;

import emp.spi.Health;
import emp.spi.store.ChangeListener;
import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state store as the host reads it: the collections read on every request answered from memory, kept current by
 * the store's change feed ({@link StateStore#watch}), so that reads do not queue on the store; everything else, and
 * every write, goes to the store. Writes keep their compare-and-set: a write that conflicts reads its entry again
 * before the conflict is thrown, so the caller's next attempt sees what won.
 *
 * <p>{@linkplain #mirror Mirrored} collections are held whole ({@link MirroredCollection}); {@linkplain #recent
 * recent} ones hold the entries read lately ({@link RecentEntries}). A store without a change feed is read each time,
 * as before. Thread-safe.
 */
public final class CachedStore implements StateStore {
    private static final Logger log = LoggerFactory.getLogger(CachedStore.class);

    private final StateStore backend;
    private final Map<String, MirroredCollection> mirrors = new HashMap<>();
    private final Map<String, RecentEntries> recents = new HashMap<>();
    private final List<AutoCloseable> watches = new ArrayList<>();
    private final ExecutorService refresher = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "emp-store-refresh");
        thread.setDaemon(true);
        return thread;
    });

    private CachedStore(StateStore backend) {
        this.backend = backend;
    }

    /**
     * Watches and reads the collections to hold, over a started {@code backend}.
     *
     * @param mirror        collections held whole
     * @param recent        collections of which the entries read lately are held
     * @param recentEntries how many entries of each recent collection are held at most
     */
    public static CachedStore over(StateStore backend, Set<String> mirror, Set<String> recent, int recentEntries) {
        CachedStore cached = new CachedStore(requireNonNull(backend, "backend is null"));
        try {
            for (String collection : mirror) {
                MirroredCollection mirrored = new MirroredCollection(collection, backend, cached.refresher);
                if (cached.watchBackend(collection, mirrored)) {
                    mirrored.load();
                    cached.mirrors.put(collection, mirrored);
                }
            }
            for (String collection : recent) {
                RecentEntries entries = new RecentEntries(collection, backend, recentEntries);
                if (cached.watchBackend(collection, entries)) {
                    cached.recents.put(collection, entries);
                }
            }
        } catch (RuntimeException e) {
            cached.closeWatches();
            throw e;
        }
        if (cached.watches.isEmpty() && !(mirror.isEmpty() && recent.isEmpty())) {
            log.info("the state store tells no changes: every read goes to it");
        }
        return cached;
    }

    private boolean watchBackend(String collection, ChangeListener listener) {
        Optional<AutoCloseable> watch = backend.watch(collection, listener);
        watch.ifPresent(watches::add);
        return watch.isPresent();
    }

    /** The store this one reads through. */
    public StateStore backend() {
        return backend;
    }

    /** Starts nothing: the backend is started before it is cached. */
    @Override
    public void start() {}

    @Override
    public Optional<Entry> get(String collection, String key) {
        MirroredCollection mirrored = mirrors.get(collection);
        if (mirrored != null) {
            return mirrored.get(key);
        }
        RecentEntries recent = recents.get(collection);
        return recent != null ? recent.get(key) : backend.get(collection, key);
    }

    @Override
    public List<Entry> list(String collection) {
        MirroredCollection mirrored = mirrors.get(collection);
        return mirrored != null ? mirrored.list() : backend.list(collection);
    }

    /** The entries of {@code collection} whose keys start with {@code prefix}, in key order: one range of a mirror. */
    public List<Entry> list(String collection, String prefix) {
        MirroredCollection mirrored = mirrors.get(collection);
        if (mirrored != null) {
            return mirrored.withPrefix(prefix);
        }
        return backend.list(collection).stream()
                .filter(entry -> entry.key().startsWith(prefix))
                .toList();
    }

    @Override
    public List<Long> commit(List<Write> writes) {
        List<Long> versions;
        try {
            versions = backend.commit(writes);
        } catch (VersionConflictException e) {
            MirroredCollection mirrored = mirrors.get(e.collection());
            if (mirrored != null) {
                mirrored.readAgain(e.key());
            }
            RecentEntries recent = recents.get(e.collection());
            if (recent != null) {
                recent.written(e.key());
            }
            throw e;
        }
        for (int i = 0; i < writes.size(); i++) {
            Write write = writes.get(i);
            if (write.isCheck()) {
                continue;
            }
            MirroredCollection mirrored = mirrors.get(write.collection());
            if (mirrored != null) {
                mirrored.written(
                        write.key(),
                        write.isDelete()
                                ? null
                                : new Entry(write.collection(), write.key(), write.value(), versions.get(i)));
            }
            RecentEntries recent = recents.get(write.collection());
            if (recent != null) {
                recent.written(write.key());
            }
        }
        return versions;
    }

    @Override
    public long append(String logName, String value, int maxLength) {
        return backend.append(logName, value, maxLength);
    }

    @Override
    public List<LogRecord> read(String logName, long afterSequence, int limit) {
        return backend.read(logName, afterSequence, limit);
    }

    @Override
    public List<LogRecord> tail(String logName, int limit) {
        return backend.tail(logName, limit);
    }

    @Override
    public void deleteLog(String logName) {
        backend.deleteLog(logName);
    }

    @Override
    public Optional<AutoCloseable> watch(String collection, ChangeListener listener) {
        return backend.watch(collection, listener);
    }

    /** The backend's check, with how much is held in memory. */
    @Override
    public Health check() {
        Health health = backend.check();
        if (mirrors.isEmpty() && recents.isEmpty()) {
            return health;
        }
        StringBuilder held = new StringBuilder(health.detail()).append("; held in memory:");
        mirrors.forEach(
                (name, mirrored) -> held.append(' ').append(name).append(' ').append(mirrored.size()));
        recents.forEach(
                (name, recent) -> held.append(' ').append(name).append(' ').append(recent.size()));
        return health.healthy() ? Health.healthy(held.toString()) : Health.unhealthy(held.toString());
    }

    /** Stops watching; the backend is closed by whoever opened it. */
    @Override
    public void close() {
        closeWatches();
        refresher.shutdownNow();
    }

    private void closeWatches() {
        for (AutoCloseable watch : watches) {
            try {
                watch.close();
            } catch (Exception e) {
                log.debug("closing a watch of the state store failed", e);
            }
        }
        watches.clear();
    }

    @Override
    public String toString() {
        return "CachedStore[" + backend + ", mirrored " + mirrors.keySet() + ", recent " + recents.keySet() + "]";
    }
}
