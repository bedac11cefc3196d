package emp.store.redis;

import static java.util.Objects.requireNonNull;

import emp.spi.ErrorCategory;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.store.ChangeListener;
import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.resps.StreamEntry;

/**
 * A {@link StateStore} in a Redis server, which several EMP servers can share. Every key starts with the configured
 * prefix, so EMP installations and other programs can share one Redis; two stores with different prefixes never see
 * each other's data.
 *
 * <p>Layout, with {@code P} the prefix and names escaped so that they hold no {@code :} ({@code %} as {@code %25},
 * {@code :} as {@code %3A}; this is what keeps any two prefixes apart):
 * <ul>
 *   <li>{@code P entries:<collection>}: a hash per collection, each field an entry's key, each value
 *       {@code <version>:<value>}. {@link #list(String)} reads the whole hash at once and orders it by key.</li>
 *   <li>{@code P log:<log>}: a stream per log, whose entry ids are {@code <sequence>-0} and whose one field {@code v}
 *       is the record. A stream keeps its last id when it is trimmed, and a deleted stream starts again at 1.</li>
 * </ul>
 * A commit and an append each run as one Lua script ({@link LuaScript}), so their reads and writes are atomic.
 *
 * <p>Durability is Redis's: a change survives Redis being killed only when Redis writes an append-only file with
 * {@code appendfsync always}; {@link #start()} warns when it writes none.
 *
 * <p>Thread-safe: a pool of connections, each checked with a {@code PING} when taken from the pool, so connections
 * that broke while Redis was down are dropped and the store works again as soon as Redis is back. Every failure to
 * reach Redis is a {@link PlatformException} of category UNAVAILABLE naming the URL (never the password).
 */
public final class RedisStateStore implements StateStore {
    /** The name Redis lists EMP's connections under ({@code CLIENT LIST}). */
    static final String CLIENT_NAME = "emp";
    /** The oldest Redis with streams. */
    static final int MIN_REDIS_MAJOR = 5;

    private static final Logger LOG = LoggerFactory.getLogger(RedisStateStore.class);

    private static final String ENTRIES = "entries:";
    private static final String LOG_KEY = "log:";
    private static final String CHANGES_KEY = "changes:entries";
    private static final String RECORD_FIELD = "v";
    /** A key the health check asks about; nothing writes it. Under the prefix, so a user limited to it may ask. */
    private static final String HEALTH_KEY = "health";

    private final RedisStoreConfig config;
    private final String url;
    private final Object lifecycle = new Object();
    /** Null before {@link #start()} and after {@link #close()}; set and cleared under {@link #lifecycle}. */
    private volatile RedisClient client;

    private volatile boolean closed;
    private final ChangeFeed changes;
    private final RedisFailures failures;

    /** Does no I/O; {@link #start()} connects. */
    public RedisStateStore(RedisStoreConfig config) {
        this.config = requireNonNull(config, "config is null");
        this.url = config.url();
        this.changes = new ChangeFeed(this, config.socketTimeout());
        this.failures = new RedisFailures(config);
    }

    public RedisStoreConfig config() {
        return config;
    }

    /**
     * Connects to Redis, checks that it answers and loads the scripts. Does nothing more than that check when already
     * started, so a start that failed because Redis was down can be tried again.
     *
     * @throws PlatformException of category UNAVAILABLE when Redis cannot be reached or refuses EMP's credentials;
     *                           UNSUPPORTED when it is older than Redis 5
     */
    @Override
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw closedError();
            }
            if (client == null) {
                client = newClient();
            }
        }
        // A key under the prefix, not a PING, so that a user who may not touch those keys fails here, by name.
        redis("connect", redis -> redis.exists(config.prefix() + HEALTH_KEY));
        String version = serverVersion();
        redis("load scripts", redis -> {
            redis.scriptLoad(LuaScript.COMMIT.source());
            return redis.scriptLoad(LuaScript.APPEND.source());
        });
        warnWithoutAppendOnlyFile();
        LOG.info("State store: Redis {} at {}, key prefix '{}'", version, url, config.prefix());
    }

    private RedisClient newClient() {
        DefaultJedisClientConfig.Builder connection = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(config.connectTimeoutMillis())
                .socketTimeoutMillis(config.socketTimeoutMillis())
                .database(config.database())
                .clientName(CLIENT_NAME)
                // RESP2 on every connection, with no HELLO, as every Redis from 5 on speaks it. Left to negotiate, each
                // connection would take RESP3 where it can, while Jedis decodes replies in the protocol of the
                // first connection it made, or in RESP2 when Redis was down then.
                .autoNegotiateProtocol(false);
        if (config.password() != null) {
            connection.user(config.user()).password(config.password());
        }
        if (config.tls()) {
            SSLParameters parameters = new SSLParameters();
            // Jedis verifies no host name by itself; the JDK does with this.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            connection.ssl(true).sslParameters(parameters);
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(config.poolSize());
        pool.setMaxIdle(config.poolSize());
        pool.setMinIdle(0);
        // A PING per borrowed connection: a round trip, but it is what drops connections that broke while Redis was
        // down, before a write is sent on one and fails with no way to tell whether Redis applied it.
        pool.setTestOnBorrow(true);
        pool.setMaxWait(config.connectTimeout().plus(config.socketTimeout()));
        // No MBean per pool: the plugin's class loader must be free to go when the plugin is unloaded.
        pool.setJmxEnabled(false);
        return RedisClient.builder()
                .hostAndPort(new HostAndPort(config.host(), config.port()))
                .clientConfig(connection.build())
                .poolConfig(pool)
                .build();
    }

    /** Redis's version, e.g. {@code 7.2.4}, or "" when the user may not ask; refuses Redis older than streams. */
    private String serverVersion() {
        Optional<String> info = optionalInfo("server");
        String version = info.flatMap(text -> infoField(text, "redis_version")).orElse("");
        int dot = version.indexOf('.');
        if (dot > 0 && dot < 4 && version.substring(0, dot).chars().allMatch(Character::isDigit)) {
            int major = Integer.parseInt(version.substring(0, dot));
            if (major < MIN_REDIS_MAJOR) {
                throw new PlatformException(
                        ErrorCategory.UNSUPPORTED,
                        "the Redis state store at " + url + " runs Redis " + version + ", but needs Redis "
                                + MIN_REDIS_MAJOR + ".0 or newer (for streams); upgrade Redis");
            }
        }
        return version;
    }

    private void warnWithoutAppendOnlyFile() {
        optionalInfo("persistence")
                .flatMap(text -> infoField(text, "aof_enabled"))
                .filter("0"::equals)
                .ifPresent(off -> LOG.warn(
                        "The Redis state store at {} writes no append-only file, so Redis loses the changes since its"
                                + " last snapshot when it stops; set 'appendonly yes' and 'appendfsync always' in"
                                + " Redis's configuration to keep every change EMP makes",
                        url));
    }

    /** An INFO section, or empty when the user may not run INFO (a managed Redis may forbid it). */
    private Optional<String> optionalInfo(String section) {
        try {
            return Optional.of(redis("read INFO " + section, redis -> redis.info(section)));
        } catch (PlatformException e) {
            if (e.getCause() instanceof JedisAccessControlException || e.category() == ErrorCategory.INTERNAL) {
                LOG.debug("INFO {} of the Redis state store at {} failed", section, url, e);
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Optional<String> infoField(String info, String field) {
        return info.lines()
                .filter(line -> line.startsWith(field + ":"))
                .map(line -> line.substring(field.length() + 1).trim())
                .findFirst();
    }

    @Override
    public Optional<Entry> get(String collection, String key) {
        requireNonNull(collection, "collection is null");
        requireNonNull(key, "key is null");
        String stored =
                redis("read '" + collection + "/" + key + "'", redis -> redis.hget(entriesKey(collection), key));
        return stored == null ? Optional.empty() : Optional.of(entry(collection, key, stored));
    }

    @Override
    public List<Entry> list(String collection) {
        requireNonNull(collection, "collection is null");
        Map<String, String> stored = redis("list '" + collection + "'", redis -> redis.hgetAll(entriesKey(collection)));
        List<Entry> entries = new ArrayList<>(stored.size());
        stored.forEach((key, value) -> entries.add(entry(collection, key, value)));
        entries.sort((left, right) -> Entry.KEY_ORDER.compare(left.key(), right.key()));
        return List.copyOf(entries);
    }

    /**
     * Checks every write's expected version, then applies them all, in one Lua script. A later write to the same entry
     * sees the earlier ones.
     */
    @Override
    public List<Long> commit(List<Write> writes) {
        List<Write> all = List.copyOf(requireNonNull(writes, "writes is null"));
        if (all.isEmpty()) {
            return List.of();
        }
        List<String> keys = new ArrayList<>(all.size());
        List<String> arguments = new ArrayList<>(all.size() * 4);
        for (Write write : all) {
            keys.add(entriesKey(write.collection()));
            arguments.add(
                    switch (write.kind()) {
                        case PUT -> "P";
                        case DELETE -> "D";
                        case CHECK -> "C";
                    });
            arguments.add(write.key());
            arguments.add(Long.toString(write.expectedVersion()));
            arguments.add(write.value() == null ? "" : write.value());
        }
        keys.add(changesKey());
        arguments.add(Integer.toString(ChangeFeed.KEPT));
        String operation = "commit " + describe(all);
        Object reply = redis(operation, redis -> eval(redis, LuaScript.COMMIT, keys, arguments));
        try {
            List<?> answer = (List<?>) reply;
            long status = (Long) answer.get(0);
            if (status == 1) {
                List<Long> versions = new ArrayList<>(all.size());
                for (Object version : answer.subList(1, answer.size())) {
                    versions.add((Long) version);
                }
                if (versions.size() != all.size()) {
                    throw failures.unexpectedReply(operation, reply);
                }
                return List.copyOf(versions);
            }
            Write write = all.get(Math.toIntExact((Long) answer.get(1)) - 1);
            if (status == 0) {
                throw new VersionConflictException(
                        write.collection(), write.key(), write.expectedVersion(), (Long) answer.get(2));
            }
            throw failures.foreignEntry(write.collection(), write.key());
        } catch (ClassCastException | IndexOutOfBoundsException | ArithmeticException | NullPointerException e) {
            throw failures.unexpectedReply(operation, reply);
        }
    }

    @Override
    public long append(String log, String value, int maxLength) {
        requireNonNull(log, "log is null");
        requireNonNull(value, "value is null");
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
        String operation = "append to log '" + log + "'";
        Object reply = redis(
                operation,
                redis -> eval(
                        redis, LuaScript.APPEND, List.of(logKey(log)), List.of(value, Integer.toString(maxLength))));
        if (reply instanceof Long sequence) {
            return sequence;
        }
        throw failures.unexpectedReply(operation, reply);
    }

    @Override
    public List<LogRecord> read(String log, long afterSequence, int limit) {
        requireNonNull(log, "log is null");
        requireLimit(limit);
        if (limit == 0 || afterSequence == Long.MAX_VALUE) {
            return List.of();
        }
        String first = (Math.max(afterSequence, 0) + 1) + "-0";
        return records(redis("read log '" + log + "'", redis -> redis.xrange(logKey(log), first, "+", limit)));
    }

    @Override
    public List<LogRecord> tail(String log, int limit) {
        requireNonNull(log, "log is null");
        requireLimit(limit);
        if (limit == 0) {
            return List.of();
        }
        List<StreamEntry> newestFirst = new ArrayList<>(
                redis("read log '" + log + "'", redis -> redis.xrevrange(logKey(log), "+", "-", limit)));
        Collections.reverse(newestFirst);
        return records(newestFirst);
    }

    private static void requireLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
    }

    private static List<LogRecord> records(List<StreamEntry> entries) {
        List<LogRecord> records = new ArrayList<>(entries.size());
        for (StreamEntry entry : entries) {
            String value = entry.getFields().get(RECORD_FIELD);
            records.add(new LogRecord(entry.getID().getTime(), value == null ? "" : value));
        }
        return List.copyOf(records);
    }

    @Override
    public void deleteLog(String log) {
        requireNonNull(log, "log is null");
        redis("delete log '" + log + "'", redis -> redis.unlink(logKey(log)));
    }

    /** Asks Redis about a key under the prefix: a round trip that fails while Redis is down or still loading. */
    @Override
    public Health check() {
        RedisClient current = client;
        if (current == null) {
            return Health.unhealthy("redis " + url + " is " + (closed ? "closed" : "not started"));
        }
        try {
            current.exists(config.prefix() + HEALTH_KEY);
            return Health.healthy("redis " + url + ", key prefix '" + config.prefix() + "'");
        } catch (RuntimeException e) {
            return Health.unhealthy(failure("check", e).getMessage());
        }
    }

    /**
     * Tells {@code listener} of the changes to {@code collection} that any server commits, read from the stream of
     * changes about a round trip after each commit (see {@link ChangeFeed}).
     */
    @Override
    public Optional<AutoCloseable> watch(String collection, ChangeListener listener) {
        requireNonNull(collection, "collection is null");
        requireNonNull(listener, "listener is null");
        return Optional.of(changes.add(collection, listener));
    }

    /** Closes the connections; a second call does nothing. */
    @Override
    public void close() {
        changes.close();
        synchronized (lifecycle) {
            closed = true;
            RedisClient open = client;
            client = null;
            if (open != null) {
                try {
                    open.close();
                } catch (RuntimeException e) {
                    LOG.debug("Closing the connections to the Redis state store at {} failed", url, e);
                }
                LOG.info("State store: closed the connections to Redis at {}", url);
            }
        }
    }

    @Override
    public String toString() {
        return "RedisStateStore[" + url + ", prefix '" + config.prefix() + "']";
    }

    // ---- keys

    String entriesKey(String collection) {
        return config.prefix() + ENTRIES + escape(collection);
    }

    /** The stream of changes to entries, in commit order (see {@link ChangeFeed}). */
    String changesKey() {
        return config.prefix() + CHANGES_KEY;
    }

    /** The collection whose hash {@code entriesKey} is, or null for a key of no collection of this prefix. */
    String collectionOf(String entriesKey) {
        String start = config.prefix() + ENTRIES;
        return entriesKey.startsWith(start) ? unescape(entriesKey.substring(start.length())) : null;
    }

    String logKey(String log) {
        return config.prefix() + LOG_KEY + escape(log);
    }

    /**
     * A name without {@code :}, so that everything after the prefix holds exactly one {@code :}, after the kind. Then
     * no key of one prefix can be a key of another: for prefixes {@code p} and {@code p + s}, the rest after {@code p}
     * would have to hold {@code s}'s colons and the kind's, more than one, or start with {@code s} as a kind does.
     */
    static String escape(String name) {
        return name.replace("%", "%25").replace(":", "%3A");
    }

    static String unescape(String escaped) {
        return escaped.replace("%3A", ":").replace("%25", "%");
    }

    // ---- plumbing

    private Object eval(RedisClient redis, LuaScript script, List<String> keys, List<String> arguments) {
        try {
            return redis.evalsha(script.sha(), keys, arguments);
        } catch (JedisNoScriptException e) {
            // Redis restarted or its scripts were flushed; NOSCRIPT means the script did not run.
            LOG.debug("Loading the {} script into the Redis state store at {} again", script.name(), url);
            redis.scriptLoad(script.source());
            return redis.evalsha(script.sha(), keys, arguments);
        }
    }

    <T> T redis(String operation, Function<RedisClient, T> work) {
        RedisClient current = client;
        if (current == null) {
            throw closed ? closedError() : notStartedError();
        }
        try {
            return work.apply(current);
        } catch (PlatformException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(operation, e);
        }
    }

    private Entry entry(String collection, String key, String stored) {
        int colon = stored.indexOf(':');
        long version = -1;
        if (colon > 0 && colon < 19 && stored.substring(0, colon).chars().allMatch(c -> c >= '0' && c <= '9')) {
            version = Long.parseLong(stored.substring(0, colon));
        }
        if (version < 1) {
            throw failures.foreignEntry(collection, key);
        }
        return new Entry(collection, key, stored.substring(colon + 1), version);
    }

    /** Turns what Jedis threw into an error a person can act on; a closed store says so instead. */
    PlatformException failure(String operation, RuntimeException e) {
        return closed ? closedError() : failures.of(operation, e);
    }

    private PlatformException closedError() {
        return new PlatformException(
                ErrorCategory.INTERNAL,
                "the Redis state store at " + url + " was closed; make a new store to connect again");
    }

    private PlatformException notStartedError() {
        return new PlatformException(
                ErrorCategory.INTERNAL,
                "the Redis state store at " + url + " is not started; call start() before using it");
    }

    /** See {@link RedisFailures#describe}. */
    static String describe(Throwable e) {
        return RedisFailures.describe(e);
    }

    private static String describe(List<Write> writes) {
        Write first = writes.get(0);
        String entry = "'" + first.collection() + "/" + first.key() + "'";
        return writes.size() == 1 ? entry : entry + " and " + (writes.size() - 1) + " more";
    }
}
