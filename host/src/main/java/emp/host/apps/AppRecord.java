package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import java.time.Instant;

/**
 * An app's desired state as the store keeps it.
 *
 * @param id        the app's id, unique across the platform
 * @param owner     the username it belongs to
 * @param name      its name, unique per owner
 * @param spec      the validated spec, with the quality metrics as updated at runtime
 * @param running   false after {@code stop}: nothing runs, but spec, replica count and data are kept
 * @param replicas  the replica count while running
 * @param createdAt   when it was deployed
 * @param updatedAt   when its desired state last changed
 * @param restartedAt when a rolling restart was last asked for ({@code emp restart}), or null: replicas get it as
 *                    {@code EMP_RESTARTED_AT}, so a new value is a changed deployment, which every cluster rolls
 */
public record AppRecord(
        String id,
        String owner,
        String name,
        AppSpec spec,
        boolean running,
        int replicas,
        Instant createdAt,
        Instant updatedAt,
        Instant restartedAt) {
    /** The variable whose change rolls an app's replicas: the time of its last {@code emp restart}. */
    public static final String RESTARTED_AT = "EMP_RESTARTED_AT";

    public AppRecord {
        requireNonNull(id, "id is null");
        requireNonNull(owner, "owner is null");
        requireNonNull(name, "name is null");
        requireNonNull(spec, "spec is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    /** A record never restarted. */
    public AppRecord(
            String id,
            String owner,
            String name,
            AppSpec spec,
            boolean running,
            int replicas,
            Instant createdAt,
            Instant updatedAt) {
        this(id, owner, name, spec, running, replicas, createdAt, updatedAt, null);
    }

    public AppRef ref() {
        return new AppRef(owner, name);
    }

    /** The replicas the cluster must run now: none while stopped. */
    public int targetReplicas() {
        return running ? replicas : 0;
    }

    AppRecord withRunning(boolean newRunning, Instant now) {
        return new AppRecord(id, owner, name, spec, newRunning, replicas, createdAt, now, restartedAt);
    }

    AppRecord withReplicas(int newReplicas, Instant now) {
        return new AppRecord(id, owner, name, spec, running, newReplicas, createdAt, now, restartedAt);
    }

    AppRecord withSpec(AppSpec newSpec, Instant now) {
        return new AppRecord(id, owner, name, newSpec, running, replicas, createdAt, now, restartedAt);
    }

    AppRecord withRestart(Instant now) {
        return new AppRecord(id, owner, name, spec, running, replicas, createdAt, now, now);
    }
}
