package emp.spi.store;

import static java.util.Objects.requireNonNull;

/**
 * A stored value and its version.
 *
 * @param collection the collection, e.g. {@code apps}
 * @param key        the key within it
 * @param value      the value; the host writes JSON
 * @param version    1 when created, one more on each change
 */
public record Entry(String collection, String key, String value, long version) {
    public Entry {
        requireNonNull(collection, "collection is null");
        requireNonNull(key, "key is null");
        requireNonNull(value, "value is null");
        if (version < 1) {
            throw new IllegalArgumentException("version must be positive: " + version);
        }
    }
}
