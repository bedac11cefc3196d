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

    private volatile Supplier<Set<AppRef>> source = Set::of;
    private final Clock clock;
    private volatile Set<AppRef> apps = Set.of();
    private volatile long readAt;

    /** Knows no app until {@link #readFrom} says where they are. */
    public KnownApps(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Where the apps are read from, from now on: the platform's app service, once it exists. */
    public void readFrom(Supplier<Set<AppRef>> apps) {
        this.source = requireNonNull(apps, "apps is null");
        this.readAt = Long.MIN_VALUE / 2;
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
