package emp.host.tracing;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import java.time.Clock;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Which service names are apps of the platform, read from the store at most once a second: spans arrive by the
 * thousand, and a span from an app deployed a moment ago may wait that second to count.
 */
public final class KnownApps implements Predicate<AppRef> {
    private static final long REFRESH_MILLIS = 1000;

    private final Supplier<Set<AppRef>> source;
    private final Clock clock;
    private volatile Set<AppRef> apps = Set.of();
    private volatile long readAt;

    public KnownApps(Supplier<Set<AppRef>> source, Clock clock) {
        this.source = requireNonNull(source, "source is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public boolean test(AppRef app) {
        long now = clock.millis();
        if (now - readAt >= REFRESH_MILLIS) {
            synchronized (this) {
                if (now - readAt >= REFRESH_MILLIS) {
                    apps = Set.copyOf(source.get());
                    readAt = now;
                }
            }
        }
        return apps.contains(app);
    }
}
