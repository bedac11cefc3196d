package emp.tracing.http;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a recurring warning through the first time and then at most once per interval, so a flood of dropped spans or
 * failed posts is reported without flooding the log. Thread-safe.
 */
final class WarningThrottle {
    private final Clock clock;
    private final long intervalMillis;
    private final AtomicLong nextMillis = new AtomicLong(Long.MIN_VALUE);

    WarningThrottle(Clock clock, Duration interval) {
        this.clock = requireNonNull(clock, "clock is null");
        this.intervalMillis = requireNonNull(interval, "interval is null").toMillis();
    }

    /** Whether to log now; true for the first call and then once per interval. */
    boolean allow() {
        long now = clock.millis();
        long next = nextMillis.get();
        return now >= next && nextMillis.compareAndSet(next, now + intervalMillis);
    }
}
