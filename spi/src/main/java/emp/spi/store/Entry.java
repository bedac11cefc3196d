package emp.spi.store;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/**
 * A stored value and its version.
 *
 * @param collection the collection, e.g. {@code apps}
 * @param key        the key within it
 * @param value      the value; the host writes JSON
 * @param version    1 when created, one more on each change
 */
public record Entry(String collection, String key, String value, long version) {
    /**
     * The order of keys in {@link StateStore#list}: by Unicode code point, as comparing their UTF-8 bytes gives, which
     * {@link String#compareTo} is not for characters beyond the Basic Multilingual Plane.
     *
     * @since 0.4.1
     */
    public static final Comparator<String> KEY_ORDER = Entry::compareKeys;

    public Entry {
        requireNonNull(collection, "collection is null");
        requireNonNull(key, "key is null");
        requireNonNull(value, "value is null");
        if (version < 1) {
            throw new IllegalArgumentException("version must be positive: " + version);
        }
    }

    private static int compareKeys(String left, String right) {
        int shorter = Math.min(left.length(), right.length());
        for (int k = 0; k < shorter; k++) {
            char a = left.charAt(k);
            char b = right.charAt(k);
            if (a != b) {
                // Outside the surrogates, chars are ordered as code points; a surrogate needs the code points.
                if (!Character.isSurrogate(a) && !Character.isSurrogate(b)) {
                    return Character.compare(a, b);
                }
                return Integer.compare(codePointAround(left, k), codePointAround(right, k));
            }
        }
        return Integer.compare(left.length(), right.length());
    }

    /** The code point that the char at {@code index} is part of. */
    private static int codePointAround(String text, int index) {
        boolean secondHalf = index > 0
                && Character.isLowSurrogate(text.charAt(index))
                && Character.isHighSurrogate(text.charAt(index - 1));
        return text.codePointAt(secondHalf ? index - 1 : index);
    }
}
