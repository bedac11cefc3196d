package emp.spi.store;

import emp.spi.Health;
import java.util.List;
import java.util.Optional;

/**
 * Where EMP keeps everything it must not forget: accounts, tokens, apps' desired state and last observed status,
 * leases, and an append-only event log per app. The store knows nothing of these: it holds versioned entries
 * (a string value under a key, in a collection) and bounded logs; the host encodes the values.
 *
 * <p>Every change is a compare-and-set on versions ({@link Write#expectedVersion()}), and one
 * {@link #commit(List)} applies all of its writes or none, so several servers sharing a store never overwrite each
 * other's changes silently. Once a method that changes state returns, the change survives the process being killed.
 *
 * <p>Implementations are thread-safe. A backend that cannot be reached makes methods throw a
 * {@link emp.spi.PlatformException} of category UNAVAILABLE; the store recovers by itself when the backend is back.
 */
public interface StateStore extends AutoCloseable {
    /** Opens connections or files; creates what the store needs on first use. */
    void start();

    /** The entry under {@code key} in {@code collection}, or empty. */
    Optional<Entry> get(String collection, String key);

    /** Every entry of {@code collection}, ordered by key (by Unicode code point, as comparing UTF-8 bytes gives). */
    List<Entry> list(String collection);

    /**
     * Applies all writes atomically, each only if its entry is at the version the write expects.
     *
     * <p>A deleted entry that is created again starts at version 1. Deleting an entry that does not exist succeeds
     * when the write expects {@link Write#ABSENT} or {@link Write#ANY}, and conflicts when it expects a version.
     *
     * @return the new version of each write's entry, in order (0 for a delete)
     * @throws VersionConflictException when any entry is not at its expected version; nothing is written
     */
    List<Long> commit(List<Write> writes);

    /** Applies one write; see {@link #commit(List)}. */
    default long commit(Write write) {
        return commit(List.of(write)).get(0);
    }

    /**
     * Appends to a log, creating it on first use, and drops its oldest records beyond {@code maxLength}.
     *
     * @return the record's sequence number: 1 for a log's first record, then increasing by one
     */
    long append(String log, String value, int maxLength);

    /** Up to {@code limit} records with a sequence above {@code afterSequence}, oldest first. */
    List<LogRecord> read(String log, long afterSequence, int limit);

    /** The newest {@code limit} records of a log, oldest first; empty for a log that does not exist. */
    List<LogRecord> tail(String log, int limit);

    /** Deletes a log and all its records; does nothing when it does not exist. A log appended to again starts at 1. */
    void deleteLog(String log);

    /**
     * Tells {@code listener} of every entry of {@code collection} that changes from now on, whoever commits the change:
     * this process or another server sharing the backend; soon after it is committed (what "soon" is, the
     * implementation says; within milliseconds where it can). A change committed by this process is told after its
     * commit returns or while it returns. When the store cannot be sure it told every change (its feed was cut), it
     * calls {@link ChangeListener#reset}. Watching starts before this returns: a reader that watches and then lists
     * misses no change.
     *
     * @return what stops the watch; empty when this store cannot tell changes, and the caller must read it each time
     * @since 0.4.1
     */
    default Optional<AutoCloseable> watch(String collection, ChangeListener listener) {
        return Optional.empty();
    }

    /** A cheap check of the backend, without throwing. */
    Health check();

    @Override
    void close();
}
