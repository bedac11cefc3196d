package emp.plugins.zipkin;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * One JSON text in a range of bytes, read from the front: the reading {@link JsonSpanDecoder} needs, on the bytes
 * themselves (field names matched as bytes, strings made only when asked for, repeated ones taken from a
 * {@link RepeatedStrings}). Strings may hold any escape; numbers may be quoted or written with a zero fraction or an
 * exponent, as Gson (which zipkin2 reads with) allows. Nesting is skipped without recursion, so no text can exhaust the
 * stack. Errors are {@link IllegalArgumentException}s that say what was expected and at which byte. Not thread-safe.
 */
final class JsonBytes {
    private final byte[] in;
    /** Where the JSON starts in {@link #in}, and where it ends (exclusive). */
    private final int offset;

    private final int limit;
    private int pos;
    /** Where the last field name read is, or {@code nameEnd} -1 when it had escapes: then it is {@link #escapedName}. */
    private int nameStart;

    private int nameEnd;
    private String escapedName;
    /** The last string {@link #repeatable} read, where its bytes are, and what it was made into. */
    private String lastMade;

    private int lastStart = -1;
    private int lastEnd = -1;

    JsonBytes(byte[] in, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > in.length) {
            throw new IndexOutOfBoundsException("bytes " + offset + " to " + (offset + length) + " of " + in.length);
        }
        this.in = in;
        this.offset = offset;
        this.pos = offset;
        this.limit = offset + length;
    }

    /** Whether only whitespace is left. */
    boolean atEnd() {
        skipWhitespace();
        return pos == limit;
    }

    /**
     * A string made into a value by {@code make}; when its bytes are those of the last string read this way, the value
     * made then (spans of one trace come together, so their trace ids repeat).
     */
    String repeatable(String what, UnaryOperator<String> make) {
        skipWhitespace();
        int start = pos + 1;
        int end = start;
        if (peek() == '"') {
            while (end < limit && in[end] != '"' && in[end] != '\\') {
                end++;
            }
            if (end < limit
                    && in[end] == '"'
                    && lastMade != null
                    && Arrays.equals(in, start, end, in, lastStart, lastEnd)) {
                pos = end + 1;
                return lastMade;
            }
        }
        String made = make.apply(string(what));
        if (end < limit && in[end] == '"' && pos == end + 1) {
            lastMade = made;
            lastStart = start;
            lastEnd = end;
        }
        return made;
    }

    /**
     * Whether another element of a list or object follows (reading the comma before any but the {@code first}), or the
     * container ends here (reading {@code close}).
     */
    boolean more(char close, boolean first) {
        skipWhitespace();
        if (peek() == close) {
            pos++;
            return false;
        }
        if (!first) {
            expect(',');
            skipWhitespace();
        }
        return true;
    }

    /**
     * Reads {@code "name":}; {@link #nameIs} then tells which name it was. A name with escapes is kept as text (rare
     * enough not to be fast).
     */
    void fieldName() {
        skipWhitespace();
        if (peek() != '"') {
            throw error("a field name in quotes expected");
        }
        int end = pos + 1;
        while (end < limit && in[end] != '"' && in[end] != '\\') {
            end++;
        }
        if (end < limit && in[end] == '"') {
            nameStart = pos + 1;
            nameEnd = end;
            pos = end + 1;
        } else {
            escapedName = string("a field name");
            nameEnd = -1;
        }
        skipWhitespace();
        expect(':');
    }

    /** Whether the last field name read is {@code name} (ASCII). */
    boolean nameIs(byte[] name) {
        if (nameEnd < 0) {
            return escapedName.equals(new String(name, StandardCharsets.US_ASCII));
        }
        return Arrays.equals(in, nameStart, nameEnd, name, 0, name.length);
    }

    /** Skips a {@code null} and says so; anything else is left for the caller. */
    boolean nullValue() {
        skipWhitespace();
        if (pos + 4 <= limit && in[pos] == 'n' && in[pos + 1] == 'u' && in[pos + 2] == 'l' && in[pos + 3] == 'l') {
            pos += 4;
            return true;
        }
        return false;
    }

    /** A string, or a number read as its text (as Gson's {@code nextString} allows). */
    String string(String what) {
        return string(what, null);
    }

    /**
     * A string, or a number read as its text (as Gson's {@code nextString} allows); taken from {@code repeated} when
     * given and the string has no escapes.
     */
    String string(String what, RepeatedStrings repeated) {
        skipWhitespace();
        byte first = peek();
        if (first != '"') {
            if (first == '-' || (first >= '0' && first <= '9')) {
                int start = pos;
                skipNumber();
                return new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
            }
            throw error(what + " must be a string");
        }
        int start = ++pos;
        boolean ascii = true;
        while (pos < limit) {
            byte b = in[pos];
            if (b == '"') {
                String text = repeated != null
                        ? repeated.get(in, start, pos, ascii)
                        : new String(
                                in, start, pos - start, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
                pos++;
                return text;
            }
            if (b == '\\') {
                String text = escapedString(start, what);
                return repeated == null || !repeated.lowerCase() ? text : text.toLowerCase(Locale.ROOT);
            }
            if (b < 0) {
                ascii = false;
            }
            pos++;
        }
        throw error(what + " is an unterminated string");
    }

    /** Reads past a string (or a number, as {@link #string(String)} takes one), checking its escapes, keeping nothing. */
    void skipString(String what) {
        skipWhitespace();
        if (peek() != '"') {
            string(what);
            return;
        }
        pos++;
        while (pos < limit) {
            byte b = in[pos];
            if (b == '"') {
                pos++;
                return;
            }
            if (b == '\\') {
                if (pos + 1 >= limit) {
                    break;
                }
                byte escape = in[pos + 1];
                pos += 2;
                if (escape == 'u') {
                    for (int i = 0; i < 4; i++) {
                        if (pos >= limit || Character.digit(in[pos++], 16) < 0) {
                            throw error("a \\u escape with a non-hex digit in " + what);
                        }
                    }
                } else if ("\"\\/'bfnrt".indexOf(escape) < 0) {
                    throw error("an unknown escape \\" + (char) escape + " in " + what);
                }
                continue;
            }
            pos++;
        }
        throw error(what + " is an unterminated string");
    }

    String escapedString(int start, String what) {
        StringBuilder text = new StringBuilder(new String(in, start, pos - start, StandardCharsets.UTF_8));
        int run = pos;
        while (pos < limit) {
            byte b = in[pos];
            if (b == '"') {
                text.append(new String(in, run, pos - run, StandardCharsets.UTF_8));
                pos++;
                return text.toString();
            }
            if (b != '\\') {
                pos++;
                continue;
            }
            text.append(new String(in, run, pos - run, StandardCharsets.UTF_8));
            if (pos + 1 >= limit) {
                break;
            }
            byte escape = in[pos + 1];
            pos += 2;
            switch (escape) {
                case '"', '\\', '/', '\'' -> text.append((char) escape);
                case 'b' -> text.append('\b');
                case 'f' -> text.append('\f');
                case 'n' -> text.append('\n');
                case 'r' -> text.append('\r');
                case 't' -> text.append('\t');
                case 'u' -> {
                    if (pos + 4 > limit) {
                        throw error("a \\u escape cut short in " + what);
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(in[pos + i], 16);
                        if (digit < 0) {
                            throw error("a \\u escape with a non-hex digit in " + what);
                        }
                        code = code * 16 + digit;
                    }
                    pos += 4;
                    text.append((char) code);
                }
                default -> throw error("an unknown escape \\" + (char) escape + " in " + what);
            }
            run = pos;
        }
        throw error(what + " is an unterminated string");
    }

    /** A whole number, possibly quoted, possibly written with a fraction of zero or an exponent (as Gson allows). */
    long number(String what) {
        skipWhitespace();
        boolean quoted = peek() == '"';
        if (quoted) {
            pos++;
        }
        int start = pos;
        skipNumber();
        if (pos == start) {
            throw error(what + " must be a number");
        }
        long value;
        boolean plain = true;
        for (int i = start; i < pos; i++) {
            if (in[i] == '.' || in[i] == 'e' || in[i] == 'E') {
                plain = false;
                break;
            }
        }
        String text = null;
        try {
            if (plain && pos - start <= 18) {
                value = parseLong(start, pos);
            } else {
                text = new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
                value = plain ? Long.parseLong(text) : whole(Double.parseDouble(text), text);
            }
        } catch (NumberFormatException e) {
            throw error(what + " is not a whole number of 64 bits: "
                    + (text == null ? new String(in, start, pos - start, StandardCharsets.ISO_8859_1) : text));
        }
        if (quoted) {
            expect('"');
        }
        return value;
    }

    long parseLong(int start, int end) {
        boolean negative = in[start] == '-';
        int i = negative ? start + 1 : start;
        if (i == end) {
            throw new NumberFormatException("no digits");
        }
        long value = 0;
        for (; i < end; i++) {
            int digit = in[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new NumberFormatException("not a digit");
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    static long whole(double value, String text) {
        long whole = (long) value;
        if (whole != value) {
            throw new NumberFormatException(text);
        }
        return whole;
    }

    void skipNumber() {
        while (pos < limit) {
            byte b = in[pos];
            if ((b >= '0' && b <= '9') || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E') {
                pos++;
            } else {
                return;
            }
        }
    }

    boolean bool(String what) {
        skipWhitespace();
        if (matches("true")) {
            return true;
        }
        if (matches("false")) {
            return false;
        }
        throw error(what + " must be true or false");
    }

    boolean matches(String literal) {
        if (pos + literal.length() > limit) {
            return false;
        }
        for (int i = 0; i < literal.length(); i++) {
            if (in[pos + i] != literal.charAt(i)) {
                return false;
            }
        }
        pos += literal.length();
        return true;
    }

    /** Skips any value, nested ones without recursion: the open brackets kept as bits (set for an object). */
    void skipValue() {
        BitSet objects = null;
        int depth = 0;
        do {
            skipWhitespace();
            byte b = peek();
            switch (b) {
                case '{', '[' -> {
                    if (objects == null) {
                        objects = new BitSet();
                    }
                    objects.set(depth++, b == '{');
                    pos++;
                }
                case '}', ']' -> {
                    if (depth == 0 || objects.get(depth - 1) != (b == '}')) {
                        throw error("an unexpected '" + (char) b + "'");
                    }
                    depth--;
                    pos++;
                }
                case ',', ':' -> {
                    if (depth == 0) {
                        throw error("a value expected");
                    }
                    pos++;
                }
                case '"' -> skipString("a value");
                case 't' -> literal("true");
                case 'f' -> literal("false");
                case 'n' -> literal("null");
                default -> {
                    int start = pos;
                    skipNumber();
                    if (pos == start) {
                        throw error("an unexpected '" + (char) b + "'");
                    }
                }
            }
        } while (depth > 0);
    }

    void literal(String literal) {
        if (!matches(literal)) {
            throw error("a value expected");
        }
    }

    void skipWhitespace() {
        while (pos < limit) {
            byte b = in[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            pos++;
        }
    }

    byte peek() {
        if (pos >= limit) {
            throw error("the body ends too soon");
        }
        return in[pos];
    }

    void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "' expected");
        }
        pos++;
    }

    IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at byte " + (pos - offset) + " of the JSON");
    }
}
