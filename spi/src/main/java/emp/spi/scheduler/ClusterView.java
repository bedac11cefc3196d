package emp.spi.scheduler;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import java.time.Instant;
import java.util.Map;

/**
 * What a scheduler sees at one tick: every running app, with its spec, replicas and windowed metrics.
 *
 * @param time when the view was taken
 * @param apps the apps by reference
 */
public record ClusterView(Instant time, Map<AppRef, AppView> apps) {
    public ClusterView {
        requireNonNull(time, "time is null");
        apps = Map.copyOf(apps);
    }
}
