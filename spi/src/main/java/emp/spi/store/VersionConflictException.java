package emp.spi.store;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;

/** A {@link Write} found its entry at another version than it expected: someone else changed it first. */
public class VersionConflictException extends PlatformException {
    private final String collection;
    private final String key;

    public VersionConflictException(String collection, String key, long expected, long actual) {
        super(
                ErrorCategory.CONFLICT,
                "'" + collection + "/" + key + "' was changed by someone else (expected version " + describe(expected)
                        + ", found " + describe(actual) + "); read it again and retry");
        this.collection = collection;
        this.key = key;
    }

    private static String describe(long version) {
        return version == Write.ABSENT ? "absent" : Long.toString(version);
    }

    public String collection() {
        return collection;
    }

    public String key() {
        return key;
    }
}
