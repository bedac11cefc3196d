package emp.store.file;

import emp.spi.store.ChangeListener;
import emp.spi.store.Write;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who watches which collection. This process's commits are told on the committing thread once durable; should another
 * process write the same database (a second server pointed at the same file, by mistake or for a moment), SQLite's
 * {@code data_version}, read every {@link #FOREIGN_POLL}, changes and every watcher is told to read again. Thread-safe.
 */
final class Watchers implements AutoCloseable {
    /** How often the database is asked whether another process wrote it. */
    static final Duration FOREIGN_POLL = Duration.ofMillis(250);

    private static final Logger LOG = LoggerFactory.getLogger(Watchers.class);

    private final Map<String, List<ChangeListener>> byCollection = new ConcurrentHashMap<>();
    private final LongSupplier dataVersion;
    private ScheduledExecutorService poller;
    private long lastDataVersion;

    /** @param dataVersion SQLite's {@code PRAGMA data_version} on the store's connection */
    Watchers(LongSupplier dataVersion) {
        this.dataVersion = dataVersion;
    }

    AutoCloseable add(String collection, ChangeListener listener) {
        synchronized (this) {
            if (poller == null) {
                lastDataVersion = dataVersion.getAsLong();
                poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "store-file-watch");
                    thread.setDaemon(true);
                    return thread;
                });
                poller.scheduleWithFixedDelay(
                        this::pollSafely, FOREIGN_POLL.toMillis(), FOREIGN_POLL.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        byCollection
                .computeIfAbsent(collection, key -> new CopyOnWriteArrayList<>())
                .add(listener);
        return () -> byCollection.getOrDefault(collection, List.of()).remove(listener);
    }

    /** Tells the watchers of each written entry; what a listener throws is logged, and the others are still told. */
    void committed(List<Write> writes) {
        if (byCollection.isEmpty()) {
            return;
        }
        for (Write write : writes) {
            if (write.isCheck()) {
                continue;
            }
            for (ChangeListener listener : byCollection.getOrDefault(write.collection(), List.of())) {
                try {
                    listener.changed(write.collection(), write.key());
                } catch (RuntimeException e) {
                    LOG.warn("A watcher of '{}' failed on a change of '{}'", write.collection(), write.key(), e);
                }
            }
        }
    }

    private void pollSafely() {
        try {
            long now = dataVersion.getAsLong();
            if (now == lastDataVersion) {
                return;
            }
            lastDataVersion = now;
            LOG.warn("Another process wrote the state store database; what this server holds of it is read again");
            byCollection.values().forEach(listeners -> listeners.forEach(ChangeListener::reset));
        } catch (RuntimeException e) {
            LOG.debug("Cannot ask the state store database whether another process wrote it", e);
        }
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
