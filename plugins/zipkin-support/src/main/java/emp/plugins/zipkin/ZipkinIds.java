package emp.plugins.zipkin;

/**
 * Zipkin's ids as zipkin2's model normalises them: lower-case hex; a trace id of 1 to 32 characters, padded to 16 or
 * 32, a 128-bit one whose high half is zero cut to 16; span and parent ids of 1 to 16, padded; an all-zero parent id is
 * none, and only a span id of 16 zeros is refused.
 */
final class ZipkinIds {
    private static final String ZEROS = "00000000000000000000000000000000";

    private ZipkinIds() {}

    static String traceId(String traceId) {
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
    static String spanId(String id, String what) {
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
    static int hexZeroPrefix(String id) {
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

    static String padLeft(String id, int length) {
        return ZEROS.substring(0, length - id.length()) + id;
    }
}
