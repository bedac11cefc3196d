package emp.host.scale;

import java.util.Arrays;
import java.util.Locale;

/**
 * How long the scaling loop's last ticks took, for {@code /healthz} (check {@code scaling}): the loop must keep its
 * pace whatever else the server does (a flood of spans, say), and this is where an operator sees whether it does.
 * Keeps the last {@value #KEPT}. Thread-safe.
 */
final class TickTimes {
    static final int KEPT = 60;

    private final long[] nanos = new long[KEPT];
    private long ticks;

    synchronized void record(long tookNanos) {
        nanos[(int) (ticks++ % KEPT)] = tookNanos;
    }

    /** How many ticks ran. */
    synchronized long ticks() {
        return ticks;
    }

    /** How long the last tick took, in seconds; 0 before the first. */
    synchronized double lastSeconds() {
        return ticks == 0 ? 0 : nanos[(int) ((ticks - 1) % KEPT)] / 1e9;
    }

    /** "no tick yet", or the last tick's time, the median and the slowest of the last ticks. */
    synchronized String describe() {
        if (ticks == 0) {
            return "no tick yet";
        }
        int kept = (int) Math.min(ticks, KEPT);
        long[] sorted = Arrays.copyOf(nanos, kept);
        Arrays.sort(sorted);
        long last = nanos[(int) ((ticks - 1) % KEPT)];
        return String.format(
                Locale.ROOT,
                "%d ticks; the last took %.1f ms; of the last %d, median %.1f ms, slowest %.1f ms",
                ticks,
                last / 1e6,
                kept,
                sorted[kept / 2] / 1e6,
                sorted[kept - 1] / 1e6);
    }
}
