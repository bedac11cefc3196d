package emp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;

/** Release objects as the server's API returns them, for the fake server's answers. */
final class Releases {
    private Releases() {}

    static ObjectNode release(String app, int version, String status, String description) {
        return release(app, version, status, description, Duration.ofMinutes(1));
    }

    /** @param age how long ago the release was made */
    static ObjectNode release(String app, int version, String status, String description, Duration age) {
        ObjectNode release = Json.MAPPER
                .createObjectNode()
                .put("version", version)
                .put("app", app)
                .put("created_at", Instant.now().minus(age).toString())
                .put("by", "alice")
                .put("description", description)
                .put("status", status)
                .putNull("status_message")
                .put("current", false);
        release.putObject("spec").put("name", app);
        release.putObject("config").put("LOG_LEVEL", "info");
        release.putArray("secrets").add("DB_PASSWORD");
        return release;
    }
}
