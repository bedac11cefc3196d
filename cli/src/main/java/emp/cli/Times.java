package emp.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Server times (ISO-8601 instants) as a person reads them: local time to the second, or how long ago. */
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

    /**
     * How long before {@code now} the instant {@code text} was, in its largest whole unit: {@code 12s ago},
     * {@code 5m ago}, {@code 3h ago}, {@code 4d ago}; a time up to a minute ahead (clocks differ a little) is
     * {@code just now}, one further ahead or a text that is not an instant is shown as {@link #local}; null stays
     * null.
     */
    static String ago(String text, Instant now) {
        if (text == null) {
            return null;
        }
        Instant then;
        try {
            then = Instant.parse(text);
        } catch (DateTimeParseException e) {
            return text;
        }
        Duration age = Duration.between(then, now);
        if (age.isNegative()) {
            return age.compareTo(Duration.ofMinutes(-1)) >= 0 ? "just now" : local(text);
        }
        if (age.toSeconds() < 1) {
            return "just now";
        }
        if (age.toMinutes() < 1) {
            return age.toSeconds() + "s ago";
        }
        if (age.toHours() < 1) {
            return age.toMinutes() + "m ago";
        }
        if (age.toDays() < 2) {
            return age.toHours() + "h ago";
        }
        return age.toDays() + "d ago";
    }
}
