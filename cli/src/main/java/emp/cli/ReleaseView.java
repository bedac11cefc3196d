package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a release of the server ({@code GET /v1/apps/{id}/releases/{version}}) reads in a terminal. A release is one
 * numbered, immutable state of what an app runs (its spec, config and secrets); its {@code status} says how its
 * rollout went.
 */
final class ReleaseView {
    /** Still rolling out. */
    static final String PENDING = "pending";
    /** All its replicas became ready. */
    static final String SUCCEEDED = "succeeded";
    /** Its replicas did not become ready (or crashed), and the platform rolled the app back. */
    static final String FAILED = "failed";
    /** A later release replaced it before it finished rolling out. */
    static final String SUPERSEDED = "superseded";

    /** A rollback's description names the release it went back to: {@code rollback to v2}. */
    private static final Pattern ROLLBACK_TARGET = Pattern.compile("rollback to v(\\d+)");

    private ReleaseView() {}

    /** A version as people write it: {@code v3}. */
    static String label(int version) {
        return "v" + version;
    }

    /** The release's version, or 0 when the server did not send one. */
    static int version(JsonNode release) {
        return Json.integer(release, "version", 0);
    }

    /** The release's status, {@value #PENDING} when the server did not send one. */
    static String status(JsonNode release) {
        return Json.text(release, "status", PENDING);
    }

    /**
     * The version a rollback release went back to: its {@code rollback_of} where the server sends one, else read
     * from its description; null when neither says.
     */
    static Integer rollbackTarget(JsonNode release) {
        JsonNode rollbackOf = release.get("rollback_of");
        if (rollbackOf != null && rollbackOf.canConvertToInt()) {
            return rollbackOf.asInt();
        }
        Matcher matcher = ROLLBACK_TARGET.matcher(Json.text(release, "description", ""));
        return matcher.find() ? Integer.valueOf(matcher.group(1)) : null;
    }

    /**
     * The table of {@code emp releases}: VERSION (the current one marked {@code *}), CREATED (how long ago), BY,
     * STATUS, DESCRIPTION, and a line saying what the mark means.
     */
    static void printTable(PrintWriter out, String app, JsonNode releases, Instant now) {
        Table table = new Table("VERSION", "CREATED", "BY", "STATUS", "DESCRIPTION");
        boolean marked = false;
        for (JsonNode release : AppView.apps(releases)) {
            boolean current = release.path("current").asBoolean(false);
            marked |= current;
            table.row(
                    label(version(release)) + (current ? "*" : ""),
                    Times.ago(Json.text(release, "created_at", null), now),
                    Json.text(release, "by", null),
                    Json.text(release, "status", null),
                    Json.text(release, "description", null));
        }
        if (table.isEmpty()) {
            out.println("No releases of '" + app + "' yet; 'emp deploy FILE' makes the first.");
            return;
        }
        table.print(out);
        if (marked) {
            out.println();
            out.println("* current: the release the app runs now");
        }
    }

    /**
     * The error message of a release that failed: what failed, then the server's reason (the replica's exit code and last
     * lines of output, on lines of their own), then where to look further.
     */
    static String failure(String app, JsonNode release) {
        String reason = Json.text(release, "status_message", null);
        return "release " + label(version(release)) + " of '" + app + "' failed: "
                + (reason == null || reason.isBlank() ? "the server gives no reason" : reason.strip())
                + "\nsee 'emp logs " + app + "' and 'emp events " + app + "', fix the app and deploy again";
    }

    /** What to say of a release that a later one replaced before it finished rolling out. */
    static String superseded(String app, JsonNode release) {
        return "release " + label(version(release)) + " of '" + app + "' was superseded by a later release before it"
                + " finished rolling out; 'emp releases " + app + "' lists them";
    }
}
