package emp.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Server times (ISO-8601 instants) as a person reads them: local time to the second. */
final class Times {
    private static final DateTimeFormatter LOCAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private Times() {}

    /** {@code text} as local time, or as it is when it is not an instant; null stays null. */
    static String local(String text) {
        if (text == null) {
            return null;
        }
        try {
            return LOCAL.format(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return text;
        }
    }
}
