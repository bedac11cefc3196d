package emp.host.scale;

import emp.host.apps.AppRecord;
import emp.spi.AppRef;
import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LoadSecond;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The platform's own rule for apps that may run no replica ({@code min_replicas: 0}), whatever the scheduler: an app
 * that had no request for its {@code idle_after} goes to zero replicas (idle), and an idle app that a request waits
 * for gets one replica at once (it wakes; the request waits in the gateway meanwhile, and the scheduler sizes it from
 * there). It judges by the cluster's load figures (see {@link LoadFigures}), so it acts only where the cluster
 * measures them: on a cluster that does not, such an app keeps its replicas.
 *
 * <p>Not thread-safe: the scaling loop calls it from its one thread.
 */
final class ScaleToZero {
    /** One change the rule makes. */
    record Change(int replicas, String reason) {}

    /** The last time each app had a request in flight, waiting or arriving. */
    private final Map<AppRef, Instant> lastDemand = new HashMap<>();

    void retain(Set<AppRef> apps) {
        lastDemand.keySet().retainAll(apps);
    }

    /** What to do with a running app now, if anything. */
    Optional<Change> judge(AppRecord record, Optional<LoadFigures> load, Instant now) {
        if (!record.running() || !record.spec().scalesToZero() || load.isEmpty()) {
            lastDemand.remove(record.ref());
            return Optional.empty();
        }
        LoadFigures figures = load.get();
        long arrived = figures.last(2).stream().mapToLong(LoadSecond::arrivals).sum();
        boolean demand = figures.queued() > 0 || figures.inFlight() > 0 || arrived > 0;
        // A server that starts, or an app first seen, has had no time to be idle.
        Instant last = demand ? now : lastDemand.getOrDefault(record.ref(), now);
        lastDemand.put(record.ref(), last);
        if (record.replicas() == 0) {
            if (figures.queued() == 0 && arrived == 0) {
                return Optional.empty();
            }
            return Optional.of(new Change(
                    1,
                    "woken: " + figures.queued() + " request(s) wait for it in the gateway"
                            + (figures.queued() == 0 ? " (" + arrived + " arrived in the last 2 s)" : "")));
        }
        Duration idle = Duration.between(last, now);
        Duration idleAfter = record.spec().effectiveIdleAfter();
        if (demand || idle.compareTo(idleAfter) < 0) {
            return Optional.empty();
        }
        return Optional.of(new Change(
                0,
                "idle: no request for " + seconds(idle) + " (idle_after " + seconds(idleAfter)
                        + "); the next request wakes it"));
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0
                ? millis / 1000 + " s"
                : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
