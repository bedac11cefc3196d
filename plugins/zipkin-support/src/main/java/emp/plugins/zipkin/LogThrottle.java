package emp.plugins.zipkin;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a recurring log line through the first time and then at most once per interval, so a stream of bad messages, a broker
 * that stays away or a flood of dropped spans is reported without flooding the log. Thread-safe.
 */
public final class LogThrottle {
    private final Clock clock;
    private final long intervalMillis;
    private final AtomicLong nextMillis = new AtomicLong(Long.MIN_VALUE);

    public LogThrottle(Clock clock, Duration interval) {
        this.clock = requireNonNull(clock, "clock is null");
        this.intervalMillis = requireNonNull(interval, "interval is null").toMillis();
    }

    /** Whether to log now: true the first time, then once per interval. */
    public boolean allow() {
        long now = clock.millis();
        long next = nextMillis.get();
        return now >= next && nextMillis.compareAndSet(next, now + intervalMillis);
    }
}
