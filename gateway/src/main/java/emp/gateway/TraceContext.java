package emp.gateway;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The gateway's span for one routed request: its place in the trace, and whether the trace is being recorded.
 *
 * @param traceId      16 or 32 lower-case hex characters
 * @param spanId       16 lower-case hex characters, new for this request
 * @param parentSpanId the caller's span, or null when this span starts the trace
 * @param sampled      whether the trace's spans are to be recorded, as the caller decided or, when it did not,
 *                     {@code true}: the gateway records every request
 */
record TraceContext(String traceId, String spanId, String parentSpanId, boolean sampled) {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    TraceContext {
        requireNonNull(traceId, "traceId is null");
        requireNonNull(spanId, "spanId is null");
    }

    /** A new span starting a new trace with a 128-bit id. */
    static TraceContext newTrace(boolean sampled) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new TraceContext(hex(nonZero(random)) + hex(random.nextLong()), hex(nonZero(random)), null, sampled);
    }

    /** A new span, child of {@code parentSpanId} in trace {@code traceId} (both already normalized). */
    static TraceContext childOf(String traceId, String parentSpanId, boolean sampled) {
        return new TraceContext(traceId, hex(nonZero(ThreadLocalRandom.current())), parentSpanId, sampled);
    }

    /** The trace id in 32 characters, as {@code traceparent} needs it. */
    String traceId128() {
        return traceId.length() == 32 ? traceId : "0000000000000000" + traceId;
    }

    static String hex(long value) {
        char[] chars = new char[16];
        for (int i = 15; i >= 0; i--) {
            chars[i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
        return new String(chars);
    }

    /**
     * A random id part that is not zero: an all-zero span id is invalid, and a 128-bit trace id whose upper half is
     * zero would be shortened to 64 bits by Zipkin.
     */
    private static long nonZero(ThreadLocalRandom random) {
        long value;
        do {
            value = random.nextLong();
        } while (value == 0);
        return value;
    }
}
