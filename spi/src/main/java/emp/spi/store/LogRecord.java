package emp.spi.store;

import static java.util.Objects.requireNonNull;

/**
 * One record of a log.
 *
 * @param sequence its place in the log, from 1
 * @param value    what was appended
 */
public record LogRecord(long sequence, String value) {
    public LogRecord {
        requireNonNull(value, "value is null");
    }
}
