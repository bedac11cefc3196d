package emp.host.apps;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a release's rollout went. */
public enum ReleaseStatus {
    /** Its replicas are being started. */
    PENDING,
    /** Every replica it wants became ready; it ran (or runs) as the app. */
    SUCCEEDED,
    /** Its replicas did not become ready in time, or crashed; the platform went back to the release before. */
    FAILED,
    /** A later release replaced it before its rollout finished. */
    SUPERSEDED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
