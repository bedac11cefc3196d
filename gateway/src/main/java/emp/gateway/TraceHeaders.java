package emp.gateway;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Locale;

/**
 * The trace headers the gateway joins and passes on: B3 as several headers ({@code X-B3-TraceId},
 * {@code X-B3-SpanId}, {@code X-B3-ParentSpanId}, {@code X-B3-Sampled}, {@code X-B3-Flags}), B3 as one
 * ({@code b3: {traceId}-{spanId}[-{sampled}[-{parentSpanId}]]} or just the sampling flag), and W3C Trace Context's
 * {@code traceparent: 00-{traceId}-{parentId}-{flags}}.
 *
 * <p>Reading is lenient, as the gateway is the edge and clients send anything: a header that is malformed (wrong
 * length, not hex, all zeros, unknown flag) is ignored as if absent, and a request with no valid trace headers starts
 * a new trace; it is never refused. The formats are tried in the order Brave reads them: {@code b3}, then the
 * {@code X-B3-*} headers, then {@code traceparent}. Ids are normalized the way Zipkin stores them, so that the
 * gateway's span and the app's spans name the trace alike: lower case, span ids padded to 16 characters, trace ids to
 * 16 or 32, and a 128-bit trace id whose upper half is zero shortened to 16.
 *
 * <p>Writing replaces every incoming trace header with the gateway's span: B3 multi-header and {@code traceparent},
 * both naming the gateway's span as the replica's parent; {@code b3} and {@code X-B3-Flags} are removed (a debug flag
 * becomes {@code X-B3-Sampled: 1}). {@code tracestate} is passed on as it came.
 */
final class TraceHeaders {
    static final String B3_TRACE_ID = "X-B3-TraceId";
    static final String B3_SPAN_ID = "X-B3-SpanId";
    static final String B3_PARENT_SPAN_ID = "X-B3-ParentSpanId";
    static final String B3_SAMPLED = "X-B3-Sampled";
    static final String B3_FLAGS = "X-B3-Flags";
    static final String B3 = "b3";
    static final String TRACEPARENT = "traceparent";

    private static final int TRACEPARENT_LENGTH = 55;

    private TraceHeaders() {}

    /** The gateway's span for a request with {@code headers}: a child of the span they name, else a new trace. */
    static TraceContext join(HttpHeaders headers) {
        Incoming single = parseB3Single(headers.get(B3));
        if (single != null && single.traceId() != null) {
            return single.child();
        }
        Incoming multi = parseB3Multi(headers);
        if (multi != null && multi.traceId() != null) {
            return multi.child();
        }
        Incoming w3c = parseTraceparent(headers.get(TRACEPARENT));
        if (w3c != null) {
            return w3c.child();
        }
        // A sampling decision alone ("b3: 0", or X-B3-Sampled without ids) still holds for the new trace.
        Boolean sampled = single != null ? single.sampled() : multi != null ? multi.sampled() : null;
        return TraceContext.newTrace(sampled == null || sampled);
    }

    /** Replaces the trace headers in {@code headers} with ones naming {@code span} as the parent of what follows. */
    static void inject(TraceContext span, HttpHeaders headers) {
        headers.remove(B3);
        headers.remove(B3_FLAGS);
        headers.set(B3_TRACE_ID, span.traceId());
        headers.set(B3_SPAN_ID, span.spanId());
        if (span.parentSpanId() == null) {
            headers.remove(B3_PARENT_SPAN_ID);
        } else {
            headers.set(B3_PARENT_SPAN_ID, span.parentSpanId());
        }
        headers.set(B3_SAMPLED, span.sampled() ? "1" : "0");
        headers.set(TRACEPARENT, "00-" + span.traceId128() + "-" + span.spanId() + (span.sampled() ? "-01" : "-00"));
    }

    /**
     * What the incoming headers say.
     *
     * @param traceId normalized, or null when they carry only a sampling decision
     * @param spanId  normalized; null exactly when {@code traceId} is
     * @param sampled the caller's decision, or null when it left it to the gateway
     */
    private record Incoming(String traceId, String spanId, Boolean sampled) {
        TraceContext child() {
            return TraceContext.childOf(traceId, spanId, sampled == null || sampled);
        }
    }

    /** {@code b3}, or null when absent or malformed. */
    private static Incoming parseB3Single(String value) {
        if (value == null) {
            return null;
        }
        String[] fields = value.trim().split("-", -1);
        if (fields.length == 1) {
            Boolean sampled = singleSampled(fields[0]);
            return sampled == null ? null : new Incoming(null, null, sampled);
        }
        if (fields.length > 4) {
            return null;
        }
        String traceId = traceId(fields[0]);
        String spanId = spanId(fields[1]);
        Boolean sampled = fields.length >= 3 ? singleSampled(fields[2]) : null;
        if (traceId == null || spanId == null || (fields.length >= 3 && sampled == null)) {
            return null;
        }
        if (fields.length == 4 && spanId(fields[3]) == null) {
            return null;
        }
        return new Incoming(traceId, spanId, sampled);
    }

    /** The {@code X-B3-*} headers, or null when none is there or the ids are malformed or one is missing. */
    private static Incoming parseB3Multi(HttpHeaders headers) {
        String rawTraceId = headers.get(B3_TRACE_ID);
        String rawSpanId = headers.get(B3_SPAN_ID);
        String rawSampled = headers.get(B3_SAMPLED);
        String rawFlags = headers.get(B3_FLAGS);
        if (rawTraceId == null && rawSpanId == null && rawSampled == null && rawFlags == null) {
            return null;
        }
        // A malformed X-B3-Sampled is ignored on its own: the ids beside it may still be good.
        Boolean sampled = rawFlags != null && rawFlags.trim().equals("1")
                ? Boolean.TRUE
                : rawSampled == null ? null : multiSampled(rawSampled);
        if (rawTraceId == null && rawSpanId == null) {
            return new Incoming(null, null, sampled);
        }
        String traceId = rawTraceId == null ? null : traceId(rawTraceId.trim());
        String spanId = rawSpanId == null ? null : spanId(rawSpanId.trim());
        if (traceId == null || spanId == null) {
            return null;
        }
        return new Incoming(traceId, spanId, sampled);
    }

    /** {@code traceparent}, or null when absent or malformed. */
    private static Incoming parseTraceparent(String value) {
        if (value == null) {
            return null;
        }
        String header = value.trim().toLowerCase(Locale.ROOT);
        if (header.length() < TRACEPARENT_LENGTH
                || header.charAt(2) != '-'
                || header.charAt(35) != '-'
                || header.charAt(52) != '-') {
            return null;
        }
        String version = header.substring(0, 2);
        if (!isHex(version, 0, 2) || version.equals("ff")) {
            return null;
        }
        // Version 00 is exactly this long; a later version may append fields after a dash, and is read as 00.
        if (header.length() > TRACEPARENT_LENGTH && (version.equals("00") || header.charAt(55) != '-')) {
            return null;
        }
        if (!isHex(header, 53, 55) || !isHex(header, 3, 35) || !isHex(header, 36, 52)) {
            return null;
        }
        String traceId = traceId(header.substring(3, 35));
        String spanId = spanId(header.substring(36, 52));
        if (traceId == null || spanId == null) {
            return null;
        }
        boolean sampled = (Integer.parseInt(header.substring(53, 55), 16) & 1) == 1;
        return new Incoming(traceId, spanId, sampled);
    }

    private static Boolean singleSampled(String flag) {
        return switch (flag) {
            case "1", "d" -> Boolean.TRUE;
            case "0" -> Boolean.FALSE;
            default -> null;
        };
    }

    private static Boolean multiSampled(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true" -> Boolean.TRUE;
            case "0", "false" -> Boolean.FALSE;
            default -> null;
        };
    }

    /**
     * A trace id as Zipkin normalizes it (1 to 32 hex characters, not all zeros), or null when it is not one: padded
     * to 16 or 32 characters, and to 16 when its upper 64 bits are zero.
     */
    private static String traceId(String raw) {
        int length = raw.length();
        if (length == 0 || length > 32 || !isHex(raw, 0, length) || isZero(raw)) {
            return null;
        }
        String id = raw.toLowerCase(Locale.ROOT);
        if (length <= 16) {
            return pad(id, 16);
        }
        id = pad(id, 32);
        return isZero(id.substring(0, 16)) ? id.substring(16) : id;
    }

    /** A span id padded to 16 hex characters, or null when it is not one (1 to 16 hex characters, not all zeros). */
    private static String spanId(String raw) {
        int length = raw.length();
        if (length == 0 || length > 16 || !isHex(raw, 0, length) || isZero(raw)) {
            return null;
        }
        return pad(raw.toLowerCase(Locale.ROOT), 16);
    }

    private static String pad(String hex, int length) {
        return hex.length() == length ? hex : "0".repeat(length - hex.length()) + hex;
    }

    private static boolean isHex(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZero(String hex) {
        for (int i = 0; i < hex.length(); i++) {
            if (hex.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
