package emp.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shows how the apps of a deploy or rollback come up while {@link ReleaseWait} polls them. On a terminal it redraws
 * one status line in place; elsewhere it prints a line only when an app's readiness changes, so logs of scripted
 * deploys stay short. A replica that crashes is reported once per crash: the cluster restarts crashed replicas, and
 * a later one may come up.
 */
final class DeployProgress {
    private static final String SPINNER = "|/-\\";

    private final PrintWriter out;
    private final boolean live;
    private final Map<String, String> reported = new HashMap<>();
    private final Set<String> crashesReported = new HashSet<>();
    private int liveWidth;
    private int frame;

    /**
     * @param out  where progress goes (stderr when stdout carries JSON)
     * @param live whether to redraw one line in place with {@code \r}: only on a terminal
     */
    DeployProgress(PrintWriter out, boolean live) {
        this.out = requireNonNull(out, "out is null");
        this.live = live;
    }

    /**
     * Shows the apps as just seen: new crashes, then the live line or a line per app whose readiness changed.
     *
     * @param elapsedNanos how long the wait has lasted, for the live line
     */
    void report(Iterable<JsonNode> apps, long elapsedNanos) {
        List<String> crashes = new ArrayList<>();
        for (JsonNode app : apps) {
            crashes.addAll(newCrashes(app));
        }
        if (live) {
            if (!crashes.isEmpty()) {
                clearLive();
                crashes.forEach(out::println);
            }
            drawLive(apps, elapsedNanos);
            return;
        }
        crashes.forEach(out::println);
        for (JsonNode app : apps) {
            String readiness = AppView.readiness(app);
            if (!readiness.equals(reported.put(AppView.id(app), readiness))) {
                out.println(AppView.name(app) + ": " + readiness + " ready");
            }
        }
    }

    /** A line for each crash not reported yet: an instance that is crashed now, or restarted more often than before. */
    private List<String> newCrashes(JsonNode app) {
        List<String> lines = new ArrayList<>();
        String name = AppView.name(app);
        for (JsonNode instance : app.path("instances")) {
            String id = Json.text(instance, "id", "?");
            int restarts = Json.integer(instance, "restarts", 0);
            boolean crashed = "crashed".equals(Json.text(instance, "state", ""));
            if ((crashed || restarts > 0) && crashesReported.add(id + "#" + restarts)) {
                String what = crashed ? "crashed" : "was restarted after a crash";
                lines.add(name + ": replica " + id + " " + what + " (restarts: " + restarts
                        + "); still waiting; 'emp logs " + name + "' shows its output");
            }
        }
        return lines;
    }

    private void drawLive(Iterable<JsonNode> apps, long elapsedNanos) {
        List<String> parts = new ArrayList<>();
        for (JsonNode app : apps) {
            parts.add(AppView.name(app) + " " + AppView.readiness(app) + " ready");
        }
        String line = SPINNER.charAt(frame++ % SPINNER.length()) + " " + String.join(", ", parts) + " ("
                + Duration.ofNanos(elapsedNanos).toSeconds() + "s)";
        out.print("\r" + line + " ".repeat(Math.max(0, liveWidth - line.length())));
        out.flush();
        liveWidth = line.length();
    }

    /** Clears the live line, if one is drawn, so that what follows starts on a clean line. */
    void clearLive() {
        if (live && liveWidth > 0) {
            out.print("\r" + " ".repeat(liveWidth) + "\r");
            out.flush();
            liveWidth = 0;
        }
    }
}
