package emp.spi.store;

import static java.util.Objects.requireNonNull;

/**
 * One change, or one condition, within a {@link StateStore#commit(java.util.List)}.
 *
 * @param collection      the collection
 * @param key             the key
 * @param value           the new value, or null to delete the entry (and for a check)
 * @param expectedVersion the version the entry must be at: {@link #ABSENT} for an entry that must not exist yet,
 *                        {@link #ANY} for no condition, or a version number
 * @param kind            whether the write puts a value, deletes the entry, or only checks its version
 */
public record Write(String collection, String key, String value, long expectedVersion, Kind kind) {
    /** The entry must not exist. */
    public static final long ABSENT = 0;
    /** No condition on the entry's version. */
    public static final long ANY = -1;

    /** What a write does to its entry. */
    public enum Kind {
        /** Creates or replaces the value. */
        PUT,
        /** Removes the entry. */
        DELETE,
        /**
         * Changes nothing; the commit fails unless the entry is at the expected version. A fencing token is checked
         * this way: a leader's writes carry a check of its lease, so they fail once another server holds it.
         *
         * @since 0.2
         */
        CHECK
    }

    public Write {
        requireNonNull(collection, "collection is null");
        requireNonNull(key, "key is null");
        requireNonNull(kind, "kind is null");
        if (expectedVersion < ANY) {
            throw new IllegalArgumentException("expectedVersion is invalid: " + expectedVersion);
        }
        if (collection.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException("collection and key must not be empty");
        }
        if ((kind == Kind.PUT) != (value != null)) {
            throw new IllegalArgumentException(kind == Kind.PUT ? "value is null" : kind + " takes no value");
        }
        if (kind == Kind.CHECK && expectedVersion == ANY) {
            throw new IllegalArgumentException("a check must expect ABSENT or a version, not ANY");
        }
    }

    /** A put when {@code value} is not null, a delete when it is. */
    public Write(String collection, String key, String value, long expectedVersion) {
        this(collection, key, value, expectedVersion, value == null ? Kind.DELETE : Kind.PUT);
    }

    public static Write create(String collection, String key, String value) {
        return new Write(collection, key, requireNonNull(value, "value is null"), ABSENT);
    }

    public static Write update(String collection, String key, String value, long expectedVersion) {
        return new Write(collection, key, requireNonNull(value, "value is null"), expectedVersion);
    }

    public static Write delete(String collection, String key, long expectedVersion) {
        return new Write(collection, key, null, expectedVersion, Kind.DELETE);
    }

    /**
     * A condition only: the commit applies none of its writes unless this entry is at {@code expectedVersion}
     * ({@link #ABSENT} for an entry that must not exist). Its result in the commit is the entry's unchanged version.
     *
     * @since 0.2
     */
    public static Write check(String collection, String key, long expectedVersion) {
        return new Write(collection, key, null, expectedVersion, Kind.CHECK);
    }

    public boolean isDelete() {
        return kind == Kind.DELETE;
    }

    public boolean isCheck() {
        return kind == Kind.CHECK;
    }
}
