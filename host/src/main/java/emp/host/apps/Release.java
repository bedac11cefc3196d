package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.spi.app.AppSpec;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One numbered release of an app: what it runs (spec, config, sealed secrets), who made it, when and why. What it runs
 * never changes once made; its {@code status} follows its rollout.
 *
 * @param version       1 for the first deploy, one more for each later change of what runs
 * @param appId         the app's id
 * @param spec          the spec it runs
 * @param config        the variables set with {@code emp config}
 * @param secrets       the variables set with {@code emp secrets}, sealed by the {@link SecretBox}
 * @param createdAt     when it was made
 * @param by            who made it: a username, or {@code emp} for an automatic rollback
 * @param description   what changed, in a line: {@code changed envs, command}, {@code set config LOG_LEVEL},
 *                      {@code rollback to v2}
 * @param status        how its rollout went
 * @param statusMessage why it failed or what replaced it, or null
 * @param rollbackOf    the version it went back to, when it is a rollback; else null
 */
public record Release(
        int version,
        String appId,
        AppSpec spec,
        Map<String, String> config,
        Map<String, String> secrets,
        Instant createdAt,
        String by,
        String description,
        ReleaseStatus status,
        String statusMessage,
        Integer rollbackOf) {
    public Release {
        requireNonNull(appId, "appId is null");
        requireNonNull(spec, "spec is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(by, "by is null");
        requireNonNull(description, "description is null");
        requireNonNull(status, "status is null");
        config = config == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(config));
        secrets = secrets == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(secrets));
    }

    /** The first release of a new app, or one of an app stored before releases were kept. */
    static Release first(AppRecord record, String by) {
        return new Release(
                record.release(),
                record.id(),
                record.spec(),
                record.config(),
                record.secrets(),
                record.updatedAt(),
                by,
                "deployed",
                ReleaseStatus.PENDING,
                null,
                null);
    }

    Release withStatus(ReleaseStatus newStatus, String message) {
        return new Release(
                version, appId, spec, config, secrets, createdAt, by, description, newStatus, message, rollbackOf);
    }
}
