package emp.store.file;

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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default {@link StateStore}: one SQLite database file, in WAL mode with {@code synchronous=FULL}, so a
 * change is on disk once its method returns. Every change runs in one {@code BEGIN IMMEDIATE} transaction, which
 * takes the database's write lock before it reads the versions it compares, so the compare-and-set holds against
 * other threads and against other processes using the same file.
 *
 * <p>Thread-safe: one connection, guarded by a lock. SQLite writes one transaction at a time anyway, and a
 * commit's cost is its fsync, which a pool of connections would not share.
 */
public final class FileStateStore implements StateStore {
    /** The schema this class writes, kept in SQLite's {@code user_version}. */
    static final int SCHEMA_VERSION = 1;
    /** How long a transaction waits for another process that holds the write lock. */
    static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(FileStateStore.class);

    private static final String GET = "SELECT value, version FROM entry WHERE collection = ? AND key = ?";
    private static final String LIST = "SELECT key, value, version FROM entry WHERE collection = ? ORDER BY key";
    private static final String VERSION = "SELECT version FROM entry WHERE collection = ? AND key = ?";
    private static final String INSERT = "INSERT INTO entry (collection, key, value, version) VALUES (?, ?, ?, 1)";
    private static final String UPDATE = "UPDATE entry SET value = ?, version = ? WHERE collection = ? AND key = ?";
    private static final String DELETE = "DELETE FROM entry WHERE collection = ? AND key = ?";
    private static final String LAST_SEQUENCE = "SELECT last_sequence FROM log WHERE name = ?";
    private static final String SET_SEQUENCE = "INSERT INTO log (name, last_sequence) VALUES (?, ?)"
            + " ON CONFLICT (name) DO UPDATE SET last_sequence = excluded.last_sequence";
    private static final String APPEND = "INSERT INTO log_record (log, sequence, value) VALUES (?, ?, ?)";
    private static final String TRIM = "DELETE FROM log_record WHERE log = ? AND sequence <= ?";
    private static final String READ =
            "SELECT sequence, value FROM log_record WHERE log = ? AND sequence > ?" + " ORDER BY sequence LIMIT ?";
    private static final String TAIL = "SELECT sequence, value FROM (SELECT sequence, value FROM log_record"
            + " WHERE log = ? ORDER BY sequence DESC LIMIT ?) ORDER BY sequence";
    private static final String DELETE_RECORDS = "DELETE FROM log_record WHERE log = ?";
    private static final String DELETE_LOG = "DELETE FROM log WHERE name = ?";
    private static final String CHECK = "SELECT 1 FROM log LIMIT 1";

    private final Path path;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}; null before {@link #start()} and after {@link #close()}. */
    private Connection connection;
    /** Prepared once per connection; guarded by {@link #lock}. */
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    private boolean closed;
    private final Watchers watchers = new Watchers(this::dataVersion);

    /** Does no I/O; {@link #start()} opens or creates the database. */
    public FileStateStore(FileStoreConfig config) {
        this.path = requireNonNull(config, "config is null").path();
    }

    /** The database file. */
    public Path path() {
        return path;
    }

    /**
     * Opens the database, creating it and its folder on first use. Does nothing when already started.
     *
     * @throws PlatformException of category UNAVAILABLE naming the file when it cannot be opened or written
     */
    @Override
    public void start() {
        lock.lock();
        try {
            if (closed) {
                throw new PlatformException(
                        ErrorCategory.INTERNAL,
                        "the file state store '" + path + "' was closed; make a new store to open it again");
            }
            if (connection != null) {
                return;
            }
            connection = DatabaseFile.open(path);
            LOG.info("State store: SQLite database '{}' (schema {})", path, SCHEMA_VERSION);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Entry> get(String collection, String key) {
        requireNonNull(collection, "collection is null");
        requireNonNull(key, "key is null");
        return locked("read '" + collection + "/" + key + "'", () -> {
            PreparedStatement get = statement(GET);
            get.setString(1, collection);
            get.setString(2, key);
            try (ResultSet row = get.executeQuery()) {
                return row.next()
                        ? Optional.of(new Entry(collection, key, row.getString(1), row.getLong(2)))
                        : Optional.empty();
            }
        });
    }

    @Override
    public List<Entry> list(String collection) {
        requireNonNull(collection, "collection is null");
        return locked("list '" + collection + "'", () -> {
            PreparedStatement list = statement(LIST);
            list.setString(1, collection);
            List<Entry> entries = new ArrayList<>();
            try (ResultSet rows = list.executeQuery()) {
                while (rows.next()) {
                    entries.add(new Entry(collection, rows.getString(1), rows.getString(2), rows.getLong(3)));
                }
            }
            return List.copyOf(entries);
        });
    }

    /**
     * Applies the writes in order within one transaction; a later write to the same entry sees the earlier one.
     */
    @Override
    public List<Long> commit(List<Write> writes) {
        List<Write> all = List.copyOf(requireNonNull(writes, "writes is null"));
        if (all.isEmpty()) {
            return List.of();
        }
        List<Long> versions = inTransaction("commit " + describe(all), () -> {
            List<Long> applied = new ArrayList<>(all.size());
            for (Write write : all) {
                applied.add(apply(write));
            }
            return List.copyOf(applied);
        });
        watchers.committed(all);
        return versions;
    }

    /**
     * Tells {@code listener} of each change to {@code collection} on the committing thread, as its commit returns:
     * the database is this process's alone, so nothing else changes it.
     */
    @Override
    public Optional<AutoCloseable> watch(String collection, ChangeListener listener) {
        requireNonNull(collection, "collection is null");
        requireNonNull(listener, "listener is null");
        return Optional.of(watchers.add(collection, listener));
    }

    private long apply(Write write) throws SQLException {
        long current = currentVersion(write.collection(), write.key());
        if (write.expectedVersion() != Write.ANY && write.expectedVersion() != current) {
            throw new VersionConflictException(write.collection(), write.key(), write.expectedVersion(), current);
        }
        if (write.isCheck()) {
            return current;
        }
        if (write.isDelete()) {
            if (current != Write.ABSENT) {
                update(DELETE, write.collection(), write.key());
            }
            return 0;
        }
        if (current == Write.ABSENT) {
            update(INSERT, write.collection(), write.key(), write.value());
            return 1;
        }
        update(UPDATE, write.value(), current + 1, write.collection(), write.key());
        return current + 1;
    }

    /** The entry's version, or {@link Write#ABSENT}. */
    private long currentVersion(String collection, String key) throws SQLException {
        PreparedStatement version = statement(VERSION);
        version.setString(1, collection);
        version.setString(2, key);
        try (ResultSet row = version.executeQuery()) {
            return row.next() ? row.getLong(1) : Write.ABSENT;
        }
    }

    @Override
    public long append(String log, String value, int maxLength) {
        requireNonNull(log, "log is null");
        requireNonNull(value, "value is null");
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
        return inTransaction("append to log '" + log + "'", () -> {
            PreparedStatement last = statement(LAST_SEQUENCE);
            last.setString(1, log);
            long sequence;
            try (ResultSet row = last.executeQuery()) {
                sequence = (row.next() ? row.getLong(1) : 0) + 1;
            }
            update(SET_SEQUENCE, log, sequence);
            update(APPEND, log, sequence, value);
            if (sequence > maxLength) {
                update(TRIM, log, sequence - maxLength);
            }
            return sequence;
        });
    }

    @Override
    public List<LogRecord> read(String log, long afterSequence, int limit) {
        requireNonNull(log, "log is null");
        requireLimit(limit);
        return locked("read log '" + log + "'", () -> records(READ, log, afterSequence, limit));
    }

    @Override
    public List<LogRecord> tail(String log, int limit) {
        requireNonNull(log, "log is null");
        requireLimit(limit);
        return locked("read log '" + log + "'", () -> records(TAIL, log, limit));
    }

    private static void requireLimit(int limit) {
        // SQLite reads a negative LIMIT as no limit at all.
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
    }

    private List<LogRecord> records(String sql, Object... parameters) throws SQLException {
        PreparedStatement query = statement(sql);
        bind(query, parameters);
        List<LogRecord> records = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                records.add(new LogRecord(rows.getLong(1), rows.getString(2)));
            }
        }
        return List.copyOf(records);
    }

    @Override
    public void deleteLog(String log) {
        requireNonNull(log, "log is null");
        inTransaction("delete log '" + log + "'", () -> {
            update(DELETE_RECORDS, log);
            update(DELETE_LOG, log);
            return null;
        });
    }

    @Override
    public Health check() {
        lock.lock();
        try {
            if (connection == null) {
                return Health.unhealthy("sqlite '" + path + "' is " + (closed ? "closed" : "not started"));
            }
            try (ResultSet row = statement(CHECK).executeQuery()) {
                row.next();
            }
            return Health.healthy("sqlite " + path);
        } catch (SQLException e) {
            return Health.unhealthy("sqlite '" + path + "': " + describe(e));
        } finally {
            lock.unlock();
        }
    }

    /** SQLite's count of commits by other connections to the database: a change means another process wrote it. */
    private long dataVersion() {
        return locked("read the data version", () -> {
            try (Statement statement = connection.createStatement();
                    ResultSet row = statement.executeQuery("PRAGMA data_version")) {
                row.next();
                return row.getLong(1);
            }
        });
    }

    /** Closes the database; a second call does nothing. */
    @Override
    public void close() {
        watchers.close();
        lock.lock();
        try {
            closed = true;
            if (connection == null) {
                return;
            }
            for (PreparedStatement statement : statements.values()) {
                try {
                    statement.close();
                } catch (SQLException e) {
                    LOG.debug("Closing a statement of '{}' failed", path, e);
                }
            }
            statements.clear();
            try {
                connection.close();
                LOG.info("State store: closed SQLite database '{}'", path);
            } catch (SQLException e) {
                LOG.warn("Closing the state store database '{}' failed: {}", path, describe(e));
            }
            connection = null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "FileStateStore[" + path + "]";
    }

    // ---- plumbing

    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T locked(String operation, Work<T> work) {
        lock.lock();
        try {
            requireOpen();
            return work.run();
        } catch (SQLException e) {
            throw failure(operation, e);
        } finally {
            lock.unlock();
        }
    }

    private <T> T inTransaction(String operation, Work<T> work) {
        return locked(operation, () -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("BEGIN IMMEDIATE");
                try {
                    T result = work.run();
                    statement.execute("COMMIT");
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(connection, e);
                    throw e;
                }
            }
        });
    }

    private void requireOpen() {
        if (connection == null) {
            throw new PlatformException(
                    ErrorCategory.INTERNAL,
                    "the file state store '" + path + "' is "
                            + (closed ? "closed" : "not started; call start() before using it"));
        }
    }

    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    private int update(String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = statement(sql);
        bind(statement, parameters);
        return statement.executeUpdate();
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object parameter = parameters[i];
            if (parameter instanceof String text) {
                statement.setString(i + 1, text);
            } else if (parameter instanceof Long number) {
                statement.setLong(i + 1, number);
            } else if (parameter instanceof Integer number) {
                statement.setInt(i + 1, number);
            } else {
                throw new IllegalArgumentException("cannot bind " + parameter);
            }
        }
    }

    static void rollbackQuietly(Connection target, Exception cause) {
        try (Statement statement = target.createStatement()) {
            statement.execute("ROLLBACK");
        } catch (SQLException e) {
            // A failed COMMIT may already have ended the transaction; the cause is what matters.
            cause.addSuppressed(e);
        }
    }

    /** Turns a driver error into one a person can act on, by SQLite's primary result code. */
    private PlatformException failure(String operation, SQLException e) {
        String failed = "could not " + operation + " in the state store database '" + path + "'";
        return switch (e.getErrorCode() & 0xff) {
            case 5, 6 ->
                new PlatformException(
                        ErrorCategory.UNAVAILABLE,
                        failed + ": another process held it locked for " + BUSY_TIMEOUT_MILLIS / 1000
                                + " s; check which other program uses the file, then retry",
                        e);
            case 13 ->
                new PlatformException(
                        ErrorCategory.UNAVAILABLE, failed + ": the disk is full; free some space," + " then retry", e);
            case 3, 8, 10, 14 ->
                new PlatformException(
                        ErrorCategory.UNAVAILABLE,
                        failed + " (" + describe(e) + "); check"
                                + " the disk, and that the file and its folder are writable by the user running EMP, then retry",
                        e);
            case 11, 26 ->
                new PlatformException(
                        ErrorCategory.INTERNAL,
                        failed + ": the file is damaged (" + describe(e)
                                + "); restore it from a backup, or move it away to start with an empty store",
                        e);
            default -> new PlatformException(ErrorCategory.INTERNAL, failed + ": " + describe(e), e);
        };
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static String describe(List<Write> writes) {
        Write first = writes.get(0);
        String entry = "'" + first.collection() + "/" + first.key() + "'";
        return writes.size() == 1 ? entry : entry + " and " + (writes.size() - 1) + " more";
    }
}
