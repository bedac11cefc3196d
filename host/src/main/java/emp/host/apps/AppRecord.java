package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

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
 * @param release     the version of the {@link Release} it runs: what spec, config and secrets last changed to
 * @param config      variables set with {@code emp config}, on top of the spec's {@code envs}
 * @param secrets     variables set with {@code emp secrets}, each sealed by the {@link SecretBox}
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
        Instant restartedAt,
        int release,
        Map<String, String> config,
        Map<String, String> secrets) {
    /** The variable whose change rolls an app's replicas: the time of its last {@code emp restart}. */
    public static final String RESTARTED_AT = "EMP_RESTARTED_AT";

    public AppRecord {
        requireNonNull(id, "id is null");
        requireNonNull(owner, "owner is null");
        requireNonNull(name, "name is null");
        requireNonNull(spec, "spec is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
        // Records stored before releases existed run their first release.
        release = Math.max(release, 1);
        config = config == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(config));
        secrets = secrets == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(secrets));
    }

    /** A new app, on its first release, with no config or secrets. */
    public AppRecord(
            String id,
            String owner,
            String name,
            AppSpec spec,
            boolean running,
            int replicas,
            Instant createdAt,
            Instant updatedAt) {
        this(id, owner, name, spec, running, replicas, createdAt, updatedAt, null, 1, Map.of(), Map.of());
    }

    public AppRef ref() {
        return new AppRef(owner, name);
    }

    /** The replicas the cluster must run now: none while stopped. */
    public int targetReplicas() {
        return running ? replicas : 0;
    }

    AppRecord withRunning(boolean newRunning, Instant now) {
        return new AppRecord(
                id, owner, name, spec, newRunning, replicas, createdAt, now, restartedAt, release, config, secrets);
    }

    AppRecord withReplicas(int newReplicas, Instant now) {
        return new AppRecord(
                id, owner, name, spec, running, newReplicas, createdAt, now, restartedAt, release, config, secrets);
    }

    /** The spec with quality metrics updated at run time: what runs is the same, so no new release. */
    AppRecord withSpec(AppSpec newSpec, Instant now) {
        return new AppRecord(
                id, owner, name, newSpec, running, replicas, createdAt, now, restartedAt, release, config, secrets);
    }

    AppRecord withRestart(Instant now) {
        return new AppRecord(id, owner, name, spec, running, replicas, createdAt, now, now, release, config, secrets);
    }

    /** What runs changed to this spec, config and secrets, as the release of this version. */
    AppRecord withRelease(
            int newRelease,
            AppSpec newSpec,
            Map<String, String> newConfig,
            Map<String, String> newSecrets,
            Instant now) {
        return new AppRecord(
                id,
                owner,
                name,
                newSpec,
                running,
                replicas,
                createdAt,
                now,
                restartedAt,
                newRelease,
                newConfig,
                newSecrets);
    }
}
