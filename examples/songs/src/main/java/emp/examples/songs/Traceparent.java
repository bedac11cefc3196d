package emp.examples.songs;

import brave.propagation.TraceContext;

/**
 * The W3C Trace Context {@code traceparent} header: {@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}.
 *
 * <p>Only the parts Brave can carry are read: the 128-bit trace id, the caller's span id and the sampled flag (bit
 * 0 of the flags). A header from a later version is read by its version-00 prefix, as the specification asks.
 */
final class Traceparent {
    /** The header's name; lower case, as HTTP/2 and the specification spell it. */
    static final String HEADER = "traceparent";

    private static final int LENGTH = 55;

    private Traceparent() {}

    /**
     * The context the header describes, or null when it is absent or malformed (a malformed header starts a new
     * trace, as the specification says, rather than failing the request).
     */
    static TraceContext parse(String value) {
        if (value == null) {
            return null;
        }
        String header = value.trim();
        if (header.length() < LENGTH
                || header.charAt(2) != '-'
                || header.charAt(35) != '-'
                || header.charAt(52) != '-') {
            return null;
        }
        String version = header.substring(0, 2);
        // Version ff is invalid; version 00 has exactly 55 characters; later versions may append "-<more>".
        if (!isLowerHex(version, 0, 2)
                || version.equals("ff")
                || (version.equals("00") && header.length() != LENGTH)
                || (!version.equals("00") && header.length() > LENGTH && header.charAt(LENGTH) != '-')) {
            return null;
        }
        if (!isLowerHex(header, 3, 35) || !isLowerHex(header, 36, 52) || !isLowerHex(header, 53, 55)) {
            return null;
        }
        long traceIdHigh = Long.parseUnsignedLong(header, 3, 19, 16);
        long traceId = Long.parseUnsignedLong(header, 19, 35, 16);
        long spanId = Long.parseUnsignedLong(header, 36, 52, 16);
        if ((traceIdHigh == 0 && traceId == 0) || spanId == 0) {
            return null;
        }
        int flags = Integer.parseInt(header, 53, 55, 16);
        return TraceContext.newBuilder()
                .traceIdHigh(traceIdHigh)
                .traceId(traceId)
                .spanId(spanId)
                .sampled((flags & 1) == 1)
                .build();
    }

    /** The header for a request made within {@code context}: its trace id, its span id as the parent id. */
    static String format(TraceContext context) {
        StringBuilder out = new StringBuilder(LENGTH).append("00-");
        appendHex(out, context.traceIdHigh());
        appendHex(out, context.traceId());
        out.append('-');
        appendHex(out, context.spanId());
        // W3C has no "undecided": a context whose sampling is not yet decided travels as not sampled.
        return out.append(Boolean.TRUE.equals(context.sampled()) ? "-01" : "-00")
                .toString();
    }

    private static void appendHex(StringBuilder out, long value) {
        String hex = Long.toHexString(value);
        out.append("0".repeat(16 - hex.length())).append(hex);
    }

    private static boolean isLowerHex(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
