package emp.host.apps;

import emp.spi.app.AppSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A release as the API shows it: the secrets by name only, never their values.
 *
 * @param current whether the app runs this release now
 */
public record ReleaseView(
        int version,
        String app,
        Instant createdAt,
        String by,
        String description,
        ReleaseStatus status,
        String statusMessage,
        boolean current,
        Integer rollbackOf,
        AppSpec spec,
        Map<String, String> config,
        List<String> secrets) {

    static ReleaseView of(Release release, AppRecord app) {
        return new ReleaseView(
                release.version(),
                app.name(),
                release.createdAt(),
                release.by(),
                release.description(),
                release.status(),
                release.statusMessage(),
                release.version() == app.release(),
                release.rollbackOf(),
                release.spec(),
                release.config(),
                List.copyOf(release.secrets().keySet()));
    }
}
