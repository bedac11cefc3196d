package emp.host.tracing;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which app of the platform a span's service name is: {@code owner/app} of an app that exists, else null. Every span
 * names one, and the names are few: each is parsed once and kept (at most {@link #MAX_NAMES}, forgotten all at once
 * past that, so a flood of made-up names costs parsing, never memory), and the kept {@link AppRef} hashes fast in the
 * windows' maps. Whether the app exists is asked each time, as apps come and go. Thread-safe.
 */
final class ServiceApps implements Function<String, AppRef> {
    static final int MAX_NAMES = 10_000;

    /** Stands for a name that is no app reference at all. */
    private static final AppRef NOT_AN_APP = new AppRef("", "");

    private final Predicate<AppRef> knownApp;
    private final ConcurrentMap<String, AppRef> parsed = new ConcurrentHashMap<>();

    ServiceApps(Predicate<AppRef> knownApp) {
        this.knownApp = requireNonNull(knownApp, "knownApp is null");
    }

    @Override
    public AppRef apply(String serviceName) {
        AppRef app = parsed.get(serviceName);
        if (app == null) {
            if (parsed.size() >= MAX_NAMES) {
                parsed.clear();
            }
            AppRef read = AppRef.parseOrNull(serviceName);
            app = read == null ? NOT_AN_APP : read;
            parsed.put(serviceName, app);
        }
        return app != NOT_AN_APP && knownApp.test(app) ? app : null;
    }
}
