package emp.host.tracing;

import java.util.concurrent.atomic.LongAdder;

/**
 * Which traces are read when analysis cannot keep up: a whole trace or none of it, chosen by its id, so that every
 * span of a kept trace is kept wherever it arrives. At level {@code k} a trace is kept when the top {@code k} bits of
 * its id's hash are zero, one in {@code 2^k}, and each of its samples stands for {@code 2^k} requests in the windows:
 * rates stay right (scaled back) and percentiles unbiased, as Zipkin's and Dapper's samplers keep them, instead of the
 * arbitrary spans a full queue would drop.
 *
 * <p>The level follows the analysis lag, the age of the oldest trace waiting past its settle time: up one step when
 * it is over {@link #behindMillis} (at most once per {@link #STEP_MILLIS}), down one once it has stayed under a
 * quarter of it for {@link #CALM_MILLIS}. Thread-safe.
 */
final class TraceSampler {
    /** The highest level: one trace in 1024. */
    static final int MAX_LEVEL = 10;

    static final long STEP_MILLIS = 1000;
    static final long CALM_MILLIS = 5000;

    private final long behindMillis;
    private volatile int level;
    private long changedAt = Long.MIN_VALUE / 2;
    private long calmSince = Long.MIN_VALUE / 2;
    private final LongAdder dropped = new LongAdder();

    /** @param behindMillis the analysis lag past which fewer traces are read */
    TraceSampler(long behindMillis) {
        this.behindMillis = behindMillis;
    }

    /**
     * Whether the trace whose id hashes to {@code hash} is read at {@code atLevel} (the level a caller read once, to
     * weight what it keeps by the same); counts the span that asked when it is not.
     */
    boolean keeps(long hash, int atLevel) {
        if (atLevel == 0 || (hash >>> (64 - atLevel)) == 0) {
            return true;
        }
        dropped.increment();
        return false;
    }

    /** Counts a span of a trace not read. */
    void countOut() {
        dropped.increment();
    }

    /** The current level: a kept trace stands for {@code 2^level}. */
    int level() {
        return level;
    }

    /** The fraction of traces read: 1, 0.5, 0.25... */
    double fraction() {
        return 1.0 / (1L << level);
    }

    /** The spans of the traces not read. */
    long dropped() {
        return dropped.sum();
    }

    /** Fixes the level, for tests. */
    void level(int newLevel) {
        level = Math.max(0, Math.min(MAX_LEVEL, newLevel));
    }

    /** Takes in how far behind analysis is now ({@code lagMillis}, 0 when it is not), at {@code nowMillis}. */
    synchronized void observe(long lagMillis, long nowMillis) {
        if (lagMillis > behindMillis) {
            calmSince = Long.MIN_VALUE / 2;
            if (level < MAX_LEVEL && nowMillis - changedAt >= STEP_MILLIS) {
                level++;
                changedAt = nowMillis;
            }
            return;
        }
        if (lagMillis > behindMillis / 4) {
            calmSince = Long.MIN_VALUE / 2;
            return;
        }
        if (calmSince == Long.MIN_VALUE / 2) {
            calmSince = nowMillis;
        }
        if (level > 0 && nowMillis - calmSince >= CALM_MILLIS && nowMillis - changedAt >= CALM_MILLIS) {
            level--;
            changedAt = nowMillis;
            calmSince = nowMillis;
        }
    }

    /** A 64-bit hash of a trace id, spread over every bit (FNV-1a, then MurmurHash3's finalizer), without allocating. */
    static long hash(String traceId) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < traceId.length(); i++) {
            hash ^= Character.toLowerCase(traceId.charAt(i));
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash;
    }
}
