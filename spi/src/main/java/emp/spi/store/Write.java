package emp.spi.store;

import static java.util.Objects.requireNonNull;

/**
 * One change within a {@link StateStore#commit(java.util.List)}.
 *
 * @param collection      the collection
 * @param key             the key
 * @param value           the new value, or null to delete the entry
 * @param expectedVersion the version the entry must be at: {@link #ABSENT} for an entry that must not exist yet,
 *                        {@link #ANY} for no condition, or a version number
 */
public record Write(String collection, String key, String value, long expectedVersion) {
    /** The entry must not exist. */
    public static final long ABSENT = 0;
    /** No condition on the entry's version. */
    public static final long ANY = -1;

    public Write {
        requireNonNull(collection, "collection is null");
        requireNonNull(key, "key is null");
        if (expectedVersion < ANY) {
            throw new IllegalArgumentException("expectedVersion is invalid: " + expectedVersion);
        }
        if (collection.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException("collection and key must not be empty");
        }
    }

    public static Write create(String collection, String key, String value) {
        return new Write(collection, key, requireNonNull(value, "value is null"), ABSENT);
    }

    public static Write update(String collection, String key, String value, long expectedVersion) {
        return new Write(collection, key, requireNonNull(value, "value is null"), expectedVersion);
    }

    public static Write delete(String collection, String key, long expectedVersion) {
        return new Write(collection, key, null, expectedVersion);
    }

    public boolean isDelete() {
        return value == null;
    }
}
