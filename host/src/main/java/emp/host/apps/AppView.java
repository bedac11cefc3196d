package emp.host.apps;

import emp.spi.app.AppSpec;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An app as the API and {@code emp info -o json} show it: desired state from the store, observed state from the
 * cluster.
 *
 * @param state {@code running} (every wanted replica ready), {@code pending} (some still starting),
 *              {@code degraded} (some crashed), {@code idle} (scaled to zero replicas; the next request wakes it),
 *              {@code stopped}
 * @param message  what the cluster says of the app as a whole when no replica can (Kubernetes makes no pod and
 *                 says why), or null
 * @param logBytes the bytes its replicas' logs take on disk, where the cluster keeps them itself; null elsewhere
 * @param release  the version of the release it runs
 * @param config   its config variables ({@code emp config})
 * @param secrets  the names of its secrets ({@code emp secrets}); their values are never shown
 */
public record AppView(
        String id,
        String name,
        String owner,
        String state,
        Replicas replicas,
        List<InstanceView> instances,
        String message,
        String url,
        Long logBytes,
        AppSpec spec,
        Instant createdAt,
        Instant updatedAt,
        int release,
        Map<String, String> config,
        List<String> secrets) {

    /** @param desired replicas wanted now (0 when stopped); @param ready replicas ready to serve */
    public record Replicas(int desired, int ready) {}

    /** @param outdated true while a rollout replaces it; absent otherwise */
    public record InstanceView(
            String id,
            String state,
            String endpoint,
            Long pid,
            int restarts,
            Instant since,
            String message,
            Boolean outdated) {
        static InstanceView of(InstanceStatus status) {
            return new InstanceView(
                    status.id(),
                    status.state().name().toLowerCase(Locale.ROOT),
                    status.endpoint() == null ? null : status.endpoint().toString(),
                    status.pid().isPresent() ? status.pid().getAsLong() : null,
                    status.restarts(),
                    status.since(),
                    status.message(),
                    status.outdated() ? Boolean.TRUE : null);
        }
    }

    static AppView of(AppRecord record, AppStatus status, String url, Long logBytes) {
        int desired = record.targetReplicas();
        int ready = status.ready();
        String state;
        if (!record.running()) {
            state = "stopped";
        } else if (desired == 0) {
            // Scaled to zero (min_replicas 0): the next request wakes it.
            state = "idle";
        } else if (status.instances().stream().anyMatch(instance -> instance.state() == InstanceState.CRASHED)) {
            state = "degraded";
        } else if (ready >= desired && status.deployed()) {
            state = "running";
        } else {
            state = "pending";
        }
        return new AppView(
                record.id(),
                record.name(),
                record.owner(),
                state,
                new Replicas(desired, ready),
                status.instances().stream().map(InstanceView::of).toList(),
                status.message(),
                url,
                logBytes,
                record.spec(),
                record.createdAt(),
                record.updatedAt(),
                record.release(),
                record.config(),
                List.copyOf(record.secrets().keySet()));
    }
}
