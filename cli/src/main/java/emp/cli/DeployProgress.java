package emp.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Waits until every app just deployed has as many ready replicas as it wants, polling {@code GET /v1/apps/{id}}.
 * On a terminal it redraws one status line in place; elsewhere it prints a line only when an app's readiness
 * changes, so logs of scripted deploys stay short. A replica that crashes is reported once per crash, and the wait
 * goes on: the cluster restarts crashed replicas, and a later one may come up.
 */
final class DeployProgress {
    private static final String SPINNER = "|/-\\";

    private final CliContext context;
    private final EmpClient client;
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
    DeployProgress(CliContext context, EmpClient client, PrintWriter out, boolean live) {
        this.context = requireNonNull(context, "context is null");
        this.client = requireNonNull(client, "client is null");
        this.out = requireNonNull(out, "out is null");
        this.live = live;
    }

    /**
     * Polls until every app is ready.
     *
     * @param apps the app objects the deploy answered with
     * @return the apps as last seen, all ready, in the same order
     * @throws CliException naming each app that is not ready when {@code timeout} has passed
     */
    List<JsonNode> await(List<JsonNode> apps, Duration timeout) {
        Map<String, JsonNode> current = new LinkedHashMap<>();
        for (JsonNode app : apps) {
            current.put(AppView.id(app), app);
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (true) {
            report(current.values(), System.nanoTime() - start);
            if (current.values().stream().allMatch(AppView::isReady)) {
                clearLive();
                return new ArrayList<>(current.values());
            }
            if (System.nanoTime() - deadline >= 0) {
                clearLive();
                throw timedOut(current.values(), timeout);
            }
            sleep();
            for (Map.Entry<String, JsonNode> entry : current.entrySet()) {
                if (!AppView.isReady(entry.getValue())) {
                    entry.setValue(client.get("/v1/apps/" + EmpClient.segment(entry.getKey())));
                }
            }
        }
    }

    private void report(Iterable<JsonNode> apps, long elapsedNanos) {
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

    private void clearLive() {
        if (live && liveWidth > 0) {
            out.print("\r" + " ".repeat(liveWidth) + "\r");
            out.flush();
            liveWidth = 0;
        }
    }

    private void sleep() {
        try {
            Thread.sleep(context.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.user(
                    "interrupted while waiting for the deploy; it goes on on the server, see 'emp list'");
        }
    }

    private static CliException timedOut(Iterable<JsonNode> apps, Duration timeout) {
        List<JsonNode> waiting = new ArrayList<>();
        apps.forEach(app -> {
            if (!AppView.isReady(app)) {
                waiting.add(app);
            }
        });
        String after = DurationConverter.format(timeout);
        if (waiting.size() == 1) {
            JsonNode app = waiting.get(0);
            String name = AppView.name(app);
            return CliException.user("app '" + name + "' is not ready after " + after + ": " + AppView.readiness(app)
                    + " replicas ready; see 'emp events " + name + "' and 'emp logs " + name + "'");
        }
        String list = waiting.stream()
                .map(app -> "'" + AppView.name(app) + "' (" + AppView.readiness(app) + " ready)")
                .collect(Collectors.joining(", "));
        return CliException.user(
                "apps not ready after " + after + ": " + list + "; see 'emp events ID' and 'emp logs ID' for each");
    }
}
