package emp.plugins.zipkin;

import emp.spi.tracing.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decodes a list of spans in Zipkin's JSON v2 straight from its bytes into EMP's spans: the same spans, normalised
 * the same way, as zipkin2's {@code SpanBytesDecoder.JSON_V2} followed by {@link ZipkinSpans#toEmp}, and the same
 * bodies refused, at a fraction of the cost. zipkin2 reads through Gson's character reader, makes a String of every
 * field name and value, and builds a {@code zipkin2.Span} with its endpoints (parsing every IP address) only for EMP
 * to copy it; here names are matched as bytes and only what EMP keeps becomes an object. Measured in
 * bench/RESULTS.md ("Span ingestion"); checked against zipkin2's decoder on random and odd bodies by its test.
 *
 * <p>As zipkin2: ids are lower-case hex (a trace id of 1 to 32 characters, padded to 16 or 32, and a 128-bit one whose
 * high half is zero cut to 16; span and parent ids of 1 to 16, padded; an all-zero parent id is none, one equal to the
 * span's own id too, and only a span id of 16 zeros is refused); span and service names are lower-cased and an empty one is none; a negative timestamp or
 * duration is 0; a CLIENT span is never shared; an annotation needs both its timestamp and its value, a tag a value.
 * Strings may hold any escape; numbers may be quoted. Nesting is walked without recursion, so no body can exhaust the
 * stack. Stateless and thread-safe.
 */
public final class JsonSpanDecoder {
    private static final byte[] TRACE_ID = ascii("traceId");
    private static final byte[] ID = ascii("id");
    private static final byte[] PARENT_ID = ascii("parentId");
    private static final byte[] KIND = ascii("kind");
    private static final byte[] NAME = ascii("name");
    private static final byte[] TIMESTAMP = ascii("timestamp");
    private static final byte[] DURATION = ascii("duration");
    private static final byte[] LOCAL_ENDPOINT = ascii("localEndpoint");
    private static final byte[] REMOTE_ENDPOINT = ascii("remoteEndpoint");
    private static final byte[] ANNOTATIONS = ascii("annotations");
    private static final byte[] TAGS = ascii("tags");
    private static final byte[] DEBUG = ascii("debug");
    private static final byte[] SHARED = ascii("shared");
    private static final byte[] SERVICE_NAME = ascii("serviceName");
    private static final byte[] IPV4 = ascii("ipv4");
    private static final byte[] IPV6 = ascii("ipv6");
    private static final byte[] PORT = ascii("port");
    private static final byte[] VALUE = ascii("value");
    private static final String ZEROS = "00000000000000000000000000000000";
    /** Service and span names, lower-cased as Zipkin does. */
    private static final RepeatedStrings NAMES = new RepeatedStrings(true);
    /** Tag keys, as they are. */
    private static final RepeatedStrings KEYS = new RepeatedStrings(false);

    private final byte[] in;
    /** Where the JSON starts in {@link #in}, and where it ends (exclusive). */
    private final int offset;

    private final int limit;
    private int pos;
    /** The last field name read that had escapes in it. */
    private String escapedName;
    /** The last trace id read, and where its bytes are: a reporter's batch holds the spans of a trace together. */
    private String lastTraceId;

    private int lastTraceIdStart = -1;
    private int lastTraceIdEnd = -1;

    private JsonSpanDecoder(byte[] in, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > in.length) {
            throw new IndexOutOfBoundsException("bytes " + offset + " to " + (offset + length) + " of " + in.length);
        }
        this.in = in;
        this.offset = offset;
        this.pos = offset;
        this.limit = offset + length;
    }

    /**
     * @param json a JSON array of v2 spans; an empty array (or no bytes) is no span
     * @throws IllegalArgumentException saying what is wrong and where, when the bytes are not such a list
     */
    public static List<Span> decodeList(byte[] json) {
        return decodeList(json, 0, json.length);
    }

    /**
     * @param json bytes holding a JSON array of v2 spans from {@code offset}, {@code length} of them
     * @throws IllegalArgumentException saying what is wrong and where, when the bytes are not such a list
     */
    public static List<Span> decodeList(byte[] json, int offset, int length) {
        return new JsonSpanDecoder(json, offset, length).list();
    }

    private List<Span> list() {
        skipWhitespace();
        if (pos == limit) {
            return List.of();
        }
        expect('[');
        List<Span> spans = new ArrayList<>();
        for (boolean first = true; more(']', first); first = false) {
            spans.add(span(spans.size()));
        }
        skipWhitespace();
        if (pos != limit) {
            throw error("data after the end of the list");
        }
        return spans;
    }

    /**
     * Whether another element of a list or object follows (reading the comma before any but the {@code first}), or the
     * container ends here (reading {@code close}).
     */
    private boolean more(char close, boolean first) {
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

    private Span span(int index) {
        skipWhitespace();
        expect('{');
        String traceId = null;
        String id = null;
        String parentId = null;
        Span.Kind kind = null;
        String name = null;
        String localService = null;
        String remoteService = null;
        long timestamp = 0;
        long duration = 0;
        Map<String, String> tags = null;
        boolean shared = false;
        for (boolean first = true; more('}', first); first = false) {
            int nameStart = pos + 1;
            int nameEnd = fieldName();
            if (is(TRACE_ID, nameStart, nameEnd)) {
                traceId = traceIdField();
                continue;
            }
            if (is(ID, nameStart, nameEnd)) {
                id = spanId(string("id"), "id");
                continue;
            }
            if (nullValue()) {
                continue;
            }
            if (is(PARENT_ID, nameStart, nameEnd)) {
                parentId = spanId(string("parentId"), "parentId");
            } else if (is(KIND, nameStart, nameEnd)) {
                kind = kind(string("kind"));
            } else if (is(NAME, nameStart, nameEnd)) {
                name = emptyToNull(string("name", NAMES));
            } else if (is(TIMESTAMP, nameStart, nameEnd)) {
                timestamp = Math.max(0, number("timestamp"));
            } else if (is(DURATION, nameStart, nameEnd)) {
                duration = Math.max(0, number("duration"));
            } else if (is(LOCAL_ENDPOINT, nameStart, nameEnd)) {
                localService = endpoint();
            } else if (is(REMOTE_ENDPOINT, nameStart, nameEnd)) {
                remoteService = endpoint();
            } else if (is(ANNOTATIONS, nameStart, nameEnd)) {
                annotations();
            } else if (is(TAGS, nameStart, nameEnd)) {
                tags = tags(tags);
            } else if (is(DEBUG, nameStart, nameEnd)) {
                bool("debug");
            } else if (is(SHARED, nameStart, nameEnd)) {
                shared = bool("shared");
            } else {
                skipValue();
            }
        }
        if (traceId == null || id == null) {
            throw new IllegalArgumentException("span " + index + " of the list has no "
                    + (traceId == null ? id == null ? "traceId and no id" : "traceId" : "id"));
        }
        if (id.equals(parentId)) {
            parentId = null;
        }
        if (kind == Span.Kind.CLIENT) {
            shared = false;
        }
        return new Span(
                traceId, id, parentId, name, kind, localService, remoteService, timestamp, duration, tags, shared);
    }

    /** The trace id, the same string as the last span's when its bytes are the same. */
    private String traceIdField() {
        skipWhitespace();
        int start = pos + 1;
        int end = start;
        if (peek() == '"') {
            while (end < limit && in[end] != '"' && in[end] != '\\') {
                end++;
            }
            if (end < limit
                    && in[end] == '"'
                    && lastTraceId != null
                    && Arrays.equals(in, start, end, in, lastTraceIdStart, lastTraceIdEnd)) {
                pos = end + 1;
                return lastTraceId;
            }
        }
        String traceId = traceId(string("traceId"));
        if (end < limit && in[end] == '"' && pos == end + 1) {
            lastTraceId = traceId;
            lastTraceIdStart = start;
            lastTraceIdEnd = end;
        }
        return traceId;
    }

    /** An endpoint object: its service name (lower case), null when it has none; its other fields checked, unused. */
    private String endpoint() {
        expect('{');
        String service = null;
        for (boolean first = true; more('}', first); first = false) {
            int nameStart = pos + 1;
            int nameEnd = fieldName();
            if (nullValue()) {
                continue;
            }
            if (is(SERVICE_NAME, nameStart, nameEnd)) {
                service = emptyToNull(string("serviceName", NAMES));
            } else if (is(IPV4, nameStart, nameEnd) || is(IPV6, nameStart, nameEnd)) {
                skipString("an endpoint's ip");
            } else if (is(PORT, nameStart, nameEnd)) {
                long port = number("port");
                if (port != (int) port) {
                    throw error("port " + port + " is not an int");
                }
            } else {
                skipValue();
            }
        }
        return service;
    }

    /** Annotations are not read by EMP: each is checked for its timestamp and value, as Zipkin requires. */
    private void annotations() {
        expect('[');
        for (boolean firstAnnotation = true; more(']', firstAnnotation); firstAnnotation = false) {
            expect('{');
            boolean timestamp = false;
            boolean value = false;
            for (boolean first = true; more('}', first); first = false) {
                int nameStart = pos + 1;
                int nameEnd = fieldName();
                if (is(TIMESTAMP, nameStart, nameEnd)) {
                    number("an annotation's timestamp");
                    timestamp = true;
                } else if (is(VALUE, nameStart, nameEnd)) {
                    skipString("an annotation's value");
                    value = true;
                } else {
                    skipValue();
                }
            }
            if (!timestamp || !value) {
                throw error("an annotation without its " + (timestamp ? "value" : "timestamp"));
            }
        }
    }

    /** The tags object, added to those of an earlier one in the span (a repeated key: the last value wins). */
    private Map<String, String> tags(Map<String, String> earlier) {
        expect('{');
        List<String> pairs = new ArrayList<>(8);
        if (earlier != null) {
            earlier.forEach((key, value) -> {
                pairs.add(key);
                pairs.add(value);
            });
        }
        for (boolean first = true; more('}', first); first = false) {
            String key = string("a tag's key", KEYS);
            skipWhitespace();
            expect(':');
            skipWhitespace();
            if (nullValue()) {
                throw error("tag '" + key + "' has no value");
            }
            pairs.add(key);
            pairs.add(string("a tag's value"));
        }
        return immutableMap(pairs);
    }

    /** Keys and values in turn as a map; a repeated key takes its last value. */
    private static Map<String, String> immutableMap(List<String> pairs) {
        int size = pairs.size() / 2;
        if (size > 8) {
            Map<String, String> map = new HashMap<>(size * 2);
            for (int i = 0; i < pairs.size(); i += 2) {
                map.put(pairs.get(i), pairs.get(i + 1));
            }
            return Map.copyOf(map);
        }
        @SuppressWarnings("unchecked")
        Map.Entry<String, String>[] entries = new Map.Entry[size];
        int kept = 0;
        for (int i = 0; i < pairs.size(); i += 2) {
            String key = pairs.get(i);
            int same = 0;
            while (same < kept && !entries[same].getKey().equals(key)) {
                same++;
            }
            entries[same] = Map.entry(key, pairs.get(i + 1));
            if (same == kept) {
                kept++;
            }
        }
        return switch (kept) {
            case 0 -> Map.of();
            case 1 -> Map.of(entries[0].getKey(), entries[0].getValue());
            case 2 -> Map.of(entries[0].getKey(), entries[0].getValue(), entries[1].getKey(), entries[1].getValue());
            default -> Map.ofEntries(Arrays.copyOf(entries, kept));
        };
    }

    /**
     * Reads {@code "name":} and returns the end of the name's raw bytes, or -1 for a name with escapes, which is kept
     * as text in {@link #escapedName} and matched by that (rare enough not to be fast).
     */
    private int fieldName() {
        skipWhitespace();
        if (peek() != '"') {
            throw error("a field name in quotes expected");
        }
        int end = pos + 1;
        while (end < limit && in[end] != '"' && in[end] != '\\') {
            end++;
        }
        if (end < limit && in[end] == '"') {
            pos = end + 1;
        } else {
            escapedName = string("a field name");
            end = -1;
        }
        skipWhitespace();
        expect(':');
        return end;
    }

    private boolean is(byte[] name, int start, int end) {
        if (end < 0) {
            return escapedName.equals(new String(name, StandardCharsets.US_ASCII));
        }
        if (end - start != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (in[start + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    /** Skips a {@code null} and says so; anything else is left for the caller. */
    private boolean nullValue() {
        skipWhitespace();
        if (pos + 4 <= limit && in[pos] == 'n' && in[pos + 1] == 'u' && in[pos + 2] == 'l' && in[pos + 3] == 'l') {
            pos += 4;
            return true;
        }
        return false;
    }

    /** A string, or a number read as its text (as Gson's {@code nextString} allows). */
    private String string(String what) {
        return string(what, null);
    }

    /**
     * A string, or a number read as its text (as Gson's {@code nextString} allows); taken from {@code repeated} when
     * given and the string has no escapes.
     */
    private String string(String what, RepeatedStrings repeated) {
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
    private void skipString(String what) {
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

    private String escapedString(int start, String what) {
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
    private long number(String what) {
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

    private long parseLong(int start, int end) {
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

    private static long whole(double value, String text) {
        long whole = (long) value;
        if (whole != value) {
            throw new NumberFormatException(text);
        }
        return whole;
    }

    private void skipNumber() {
        while (pos < limit) {
            byte b = in[pos];
            if ((b >= '0' && b <= '9') || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E') {
                pos++;
            } else {
                return;
            }
        }
    }

    private boolean bool(String what) {
        skipWhitespace();
        if (matches("true")) {
            return true;
        }
        if (matches("false")) {
            return false;
        }
        throw error(what + " must be true or false");
    }

    private boolean matches(String literal) {
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
    private void skipValue() {
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

    private void literal(String literal) {
        if (!matches(literal)) {
            throw error("a value expected");
        }
    }

    private void skipWhitespace() {
        while (pos < limit) {
            byte b = in[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            pos++;
        }
    }

    private byte peek() {
        if (pos >= limit) {
            throw error("the body ends too soon");
        }
        return in[pos];
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "' expected");
        }
        pos++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at byte " + (pos - offset) + " of the JSON");
    }

    private static String traceId(String traceId) {
        int length = traceId.length();
        if (length == 0) {
            throw new IllegalArgumentException("traceId is empty");
        }
        if (length > 32) {
            throw new IllegalArgumentException("traceId.length > 32");
        }
        int zeros = hexZeroPrefix(traceId);
        if (zeros == length) {
            throw new IllegalArgumentException("traceId is all zeros");
        }
        if (length == 32 && zeros >= 16) {
            return traceId.substring(16);
        }
        if (length == 16 || length == 32) {
            return traceId;
        }
        return padLeft(traceId, length < 16 ? 16 : 32);
    }

    /** A span or parent id: 1 to 16 hex characters, padded to 16; an all-zero parent id is none. */
    private static String spanId(String id, String what) {
        int length = id.length();
        if (length == 0) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (length > 16) {
            throw new IllegalArgumentException(what + ".length > 16");
        }
        int zeros = hexZeroPrefix(id);
        if (what.equals("id")) {
            // zipkin2 refuses only the 16-zero id; a shorter one is padded to it.
            if (zeros == 16) {
                throw new IllegalArgumentException("id is all zeros");
            }
        } else if (zeros == length) {
            return null;
        }
        return length < 16 ? padLeft(id, 16) : id;
    }

    /** The number of leading zeros, once checked that every character is lower-case hex. */
    private static int hexZeroPrefix(String id) {
        int zeros = 0;
        boolean inPrefix = true;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                throw new IllegalArgumentException(id + " should be lower-hex encoded with no prefix");
            }
            if (c != '0') {
                inPrefix = false;
            } else if (inPrefix) {
                zeros++;
            }
        }
        return zeros;
    }

    private static String padLeft(String id, int length) {
        return ZEROS.substring(0, length - id.length()) + id;
    }

    private static Span.Kind kind(String kind) {
        try {
            return Span.Kind.valueOf(kind);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kind '" + kind + "' is none of CLIENT, SERVER, PRODUCER, CONSUMER");
        }
    }

    private static String emptyToNull(String text) {
        return text.isEmpty() ? null : text;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
