package emp.host.apps;

import emp.spi.PlatformException;
import java.util.Locale;

/**
 * The bounds of a text field a person or program sends: a length, and no control characters (a process argument or
 * an environment value may hold tabs and line breaks). Checked before anything else of the field, so that no error
 * message repeats a megabyte, and nothing stored carries a NUL that only a later step would choke on.
 */
public final class TextField {
    /** The most characters of a client's text an error message repeats. */
    static final int SHOWN = 60;

    private TextField() {}

    /**
     * @param multiline whether tabs and line breaks are allowed (a script argument, a PEM key in a variable)
     * @throws PlatformException of category INVALID naming {@code field}
     */
    public static void require(String field, String value, int maxChars, boolean multiline) {
        if (value == null) {
            return;
        }
        if (value.length() > maxChars) {
            throw PlatformException.invalid(
                    field,
                    "field '" + field + "' is " + value.length() + " characters long; it takes at most " + maxChars);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = multiline && (c == '\t' || c == '\n' || c == '\r');
            if (Character.isISOControl(c) && !allowed) {
                throw PlatformException.invalid(
                        field,
                        String.format(
                                Locale.ROOT,
                                "field '%s' has a control character (U+%04X) at position %d; remove it%s",
                                field,
                                (int) c,
                                i,
                                multiline ? " (tabs and line breaks are allowed)" : ""));
            }
        }
    }

    /** {@code value} as an error message repeats it: at most {@link #SHOWN} characters, control characters as '?'. */
    public static String shown(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder text = new StringBuilder(Math.min(value.length(), SHOWN) + 3);
        for (int i = 0; i < value.length() && i < SHOWN; i++) {
            char c = value.charAt(i);
            text.append(Character.isISOControl(c) ? '?' : c);
        }
        return value.length() > SHOWN ? text.append("...").toString() : text.toString();
    }
}
