package emp.store.redis;

import emp.spi.PlatformException;
import emp.spi.store.ChangeListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The changes every server commits, told to this server's watchers: each commit adds its puts and deletes to a stream
 * under the prefix ({@link LuaScript#COMMIT}), which one thread here reads with a blocking {@code XREAD} from where it
 * was, so a change reaches the watchers about a round trip after its commit. The stream keeps about {@link #KEPT}
 * changes; a reader cut off (Redis away, a read failing) cannot know what it missed, so its watchers are told of the
 * cut at once, and to read everything again once it reads again. Thread-safe.
 */
final class ChangeFeed implements AutoCloseable {
    /** About how many changes the stream keeps, for a reader that falls behind for a moment. */
    static final int KEPT = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
    /** How many changes one read takes at most. */
    private static final int BATCH = 1_000;

    private final RedisStateStore store;
    private final int blockMillis;
    private final Map<String, List<ChangeListener>> byCollection = new ConcurrentHashMap<>();
    private Thread reader;
    private volatile boolean closed;

    /** @param socketTimeout how long a command may take: a blocking read waits for at most half of it */
    ChangeFeed(RedisStateStore store, Duration socketTimeout) {
        this.store = store;
        this.blockMillis = (int) Math.max(1, Math.min(1_000, socketTimeout.toMillis() / 2));
    }

    /**
     * Adds a watcher; the first starts the reader at the stream's newest change, read before this returns, so that no
     * change committed after it is missed.
     *
     * @throws PlatformException UNAVAILABLE when Redis cannot be asked where the stream is
     */
    AutoCloseable add(String collection, ChangeListener listener) {
        synchronized (this) {
            if (reader == null && !closed) {
                StreamEntryID from = newest();
                reader = new Thread(() -> read(from), "store-redis-changes");
                reader.setDaemon(true);
                reader.start();
            }
        }
        byCollection
                .computeIfAbsent(collection, key -> new CopyOnWriteArrayList<>())
                .add(listener);
        return () -> byCollection.getOrDefault(collection, List.of()).remove(listener);
    }

    private StreamEntryID newest() {
        List<StreamEntry> last =
                store.redis("read the newest change", redis -> redis.xrevrange(store.changesKey(), "+", "-", 1));
        return last.isEmpty() ? new StreamEntryID(0, 0) : last.get(0).getID();
    }

    private void read(StreamEntryID start) {
        StreamEntryID last = start;
        boolean cutOff = false;
        long backOffMillis = 100;
        while (!closed) {
            try {
                if (cutOff) {
                    // What came between is unknown: start again from now, and tell everyone to read again.
                    last = newest();
                    cutOff = false;
                    backOffMillis = 100;
                    LOG.info("Reading the Redis state store's changes again; watchers read everything again");
                    byCollection.values().forEach(listeners -> listeners.forEach(ChangeFeed::reset));
                }
                last = readOnce(last);
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                if (!cutOff) {
                    LOG.warn("Cannot read the Redis state store's changes ({}); trying again", e.getMessage());
                    byCollection.values().forEach(listeners -> listeners.forEach(ChangeFeed::cut));
                }
                cutOff = true;
                try {
                    Thread.sleep(backOffMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backOffMillis = Math.min(5_000, backOffMillis * 2);
            }
        }
    }

    private StreamEntryID readOnce(StreamEntryID after) {
        String key = store.changesKey();
        List<Map.Entry<String, List<StreamEntry>>> read = store.redis(
                "read changes",
                (RedisClient redis) ->
                        redis.xread(XReadParams.xReadParams().count(BATCH).block(blockMillis), Map.of(key, after)));
        StreamEntryID last = after;
        if (read == null) {
            return last;
        }
        for (Map.Entry<String, List<StreamEntry>> stream : read) {
            for (StreamEntry change : stream.getValue()) {
                last = change.getID();
                String collection = store.collectionOf(change.getFields().getOrDefault("h", ""));
                String entry = change.getFields().get("k");
                if (collection != null && entry != null) {
                    tell(collection, entry);
                }
            }
        }
        return last;
    }

    private void tell(String collection, String key) {
        for (ChangeListener listener : byCollection.getOrDefault(collection, List.of())) {
            try {
                listener.changed(collection, key);
            } catch (RuntimeException e) {
                LOG.warn("A watcher of '{}' failed on a change of '{}'", collection, key, e);
            }
        }
    }

    private static void cut(ChangeListener listener) {
        try {
            listener.cut();
        } catch (RuntimeException e) {
            LOG.warn("A watcher failed on a cut of the feed", e);
        }
    }

    private static void reset(ChangeListener listener) {
        try {
            listener.reset();
        } catch (RuntimeException e) {
            LOG.warn("A watcher failed to read again", e);
        }
    }

    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            closed = true;
            thread = reader;
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
