package emp.spi.cluster;

import static java.util.Objects.requireNonNull;

/**
 * One line a replica wrote.
 *
 * @param instance the replica's id
 * @param line     the text, without its line break
 */
public record LogLine(String instance, String line) {
    public LogLine {
        requireNonNull(instance, "instance is null");
        requireNonNull(line, "line is null");
    }
}
