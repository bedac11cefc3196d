package emp.gateway;

import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LoadSecond;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One app's request figures per second, exact: counts of arrivals, completions and rejections, the time integrals of
 * the requests in flight and waiting, and the service time of what completed. Keeps the last
 * {@link LoadFigures#MAX_SECONDS} whole seconds.
 *
 * <p>Not thread-safe: its {@link AppQueue} calls it under its lock. Times are {@link System#nanoTime()} values; every
 * call gives the time now, never earlier than the last call's.
 */
final class LoadMeter {
    private static final long SECOND = 1_000_000_000L;

    private final ArrayDeque<LoadSecond> closed = new ArrayDeque<>();
    private long secondStart;
    private long lastChange;
    private int inFlight;
    private int queued;
    private long arrivals;
    private long completions;
    private long rejected;
    private double inFlightNanos;
    private double queuedNanos;
    private long serviceNanos;

    LoadMeter(long now) {
        secondStart = now;
        lastChange = now;
    }

    void arrived(long now) {
        advance(now);
        arrivals++;
    }

    void rejected(long now) {
        advance(now);
        rejected++;
    }

    /** A replica answered a request it was sent {@code serviceNanos} ago. */
    void completed(long now, long serviceNanos) {
        advance(now);
        completions++;
        this.serviceNanos += Math.max(0, serviceNanos);
    }

    /** The requests at replicas and waiting from now on. */
    void levels(long now, int inFlightNow, int queuedNow) {
        advance(now);
        inFlight = inFlightNow;
        queued = queuedNow;
    }

    /** The whole seconds before now, oldest first. */
    List<LoadSecond> seconds(long now) {
        advance(now);
        return List.copyOf(closed);
    }

    private void advance(long now) {
        if (now - secondStart >= SECOND) {
            closeSecond();
            long behind = (now - secondStart) / SECOND;
            if (behind > LoadFigures.MAX_SECONDS) {
                // A long quiet spell: only the seconds that will be kept need filling in.
                secondStart += (behind - LoadFigures.MAX_SECONDS) * SECOND;
                lastChange = secondStart;
            }
            while (now - secondStart >= SECOND) {
                closeSecond();
            }
        }
        integrate(now);
    }

    private void closeSecond() {
        long end = secondStart + SECOND;
        integrate(end);
        closed.addLast(new LoadSecond(
                arrivals,
                completions,
                rejected,
                inFlightNanos / SECOND,
                queuedNanos / SECOND,
                completions == 0 ? 0 : serviceNanos / 1e6 / completions));
        if (closed.size() > LoadFigures.MAX_SECONDS) {
            closed.removeFirst();
        }
        arrivals = 0;
        completions = 0;
        rejected = 0;
        inFlightNanos = 0;
        queuedNanos = 0;
        serviceNanos = 0;
        secondStart = end;
    }

    private void integrate(long until) {
        long span = until - lastChange;
        if (span > 0) {
            inFlightNanos += (double) inFlight * span;
            queuedNanos += (double) queued * span;
            lastChange = until;
        }
    }
}
