package emp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** How an app object of the server ({@code GET /v1/apps/{id}}) reads in a terminal. */
final class AppView {
    private AppView() {}

    static String name(JsonNode app) {
        return Json.text(app, "name", Json.text(app, "id", "?"));
    }

    static String id(JsonNode app) {
        return Json.text(app, "id", Json.text(app, "name", "?"));
    }

    static int desired(JsonNode app) {
        return Json.integer(app.path("replicas"), "desired", 0);
    }

    static int ready(JsonNode app) {
        return Json.integer(app.path("replicas"), "ready", 0);
    }

    /**
     * The version of the release the app runs, or null when the server does not say (one older than releases).
     */
    static Integer release(JsonNode app) {
        JsonNode release = app == null ? null : app.get("release");
        return release == null || !release.canConvertToInt() ? null : release.asInt();
    }

    /** {@code ready/desired}, e.g. {@code 1/2}. */
    static String readiness(JsonNode app) {
        return ready(app) + "/" + desired(app);
    }

    /** Whether every replica the app should have is ready. */
    static boolean isReady(JsonNode app) {
        return ready(app) >= desired(app);
    }

    /** The apps of an answer that is one app object or an array of them. */
    static List<JsonNode> apps(JsonNode answer) {
        List<JsonNode> apps = new ArrayList<>();
        if (answer == null) {
            return apps;
        }
        if (answer.isArray()) {
            answer.forEach(apps::add);
        } else {
            apps.add(answer);
        }
        return apps;
    }

    /** The table of {@code emp list}: ID NAME STATE READY URL. */
    static void printList(PrintWriter out, JsonNode apps) {
        printList(out, apps, false);
    }

    /** @param withOwner whether the names show their owner, {@code owner/name} (an operator's list of every app) */
    static void printList(PrintWriter out, JsonNode apps, boolean withOwner) {
        Table table = new Table("ID", "NAME", "STATE", "READY", "URL");
        for (JsonNode app : apps(apps)) {
            table.row(
                    Json.text(app, "id", null),
                    withOwner
                            ? Json.text(app, "owner", "?") + "/" + Json.text(app, "name", "?")
                            : Json.text(app, "name", null),
                    Json.text(app, "state", null),
                    readiness(app),
                    Json.text(app, "url", null));
        }
        if (table.isEmpty()) {
            out.println("No apps yet; deploy one with 'emp deploy FILE'.");
            return;
        }
        table.print(out);
    }

    /** What {@code emp info} prints: key/value lines, then a table of the instances. */
    /** {@code 512 B}, {@code 3.4 KiB}, {@code 12.0 MiB}, {@code 1.2 GiB}. */
    static String bytes(long count) {
        if (count < 1024) {
            return count + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = count;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static void printInfo(PrintWriter out, JsonNode app) {
        JsonNode spec = app.path("spec");
        List<String[]> fields = new ArrayList<>();
        fields.add(new String[] {"ID", Json.text(app, "id", "-")});
        fields.add(new String[] {"Name", Json.text(app, "name", "-")});
        fields.add(new String[] {"Owner", Json.text(app, "owner", "-")});
        fields.add(new String[] {"State", Json.text(app, "state", "-")});
        fields.add(new String[] {"Ready", readiness(app) + " replicas" + bounds(spec)});
        if (Json.text(app, "message", null) != null) {
            fields.add(new String[] {"Cluster", Json.text(app, "message", null)});
        }
        if (release(app) != null) {
            fields.add(new String[] {"Release", ReleaseView.label(release(app))});
        }
        fields.add(new String[] {"URL", Json.text(app, "url", "-")});
        if (app.path("log_bytes").canConvertToLong()) {
            fields.add(new String[] {"Logs", bytes(app.path("log_bytes").asLong()) + " on disk"});
        }
        JsonNode command = spec.path("command");
        if (command.isArray() && !command.isEmpty()) {
            fields.add(new String[] {"Command", command.toString()});
        } else if (Json.text(spec, "docker_image", null) != null) {
            fields.add(new String[] {"Image", Json.text(spec, "docker_image", null)});
        }
        String metrics = qualityMetrics(spec);
        if (metrics != null) {
            fields.add(new String[] {"Targets", metrics});
        }
        String dependencies = join(spec.path("dependencies"));
        if (dependencies != null) {
            fields.add(new String[] {"Calls", dependencies});
        }
        fields.add(new String[] {"Created", Times.local(Json.text(app, "created_at", "-"))});
        fields.add(new String[] {"Updated", Times.local(Json.text(app, "updated_at", "-"))});
        int width = fields.stream().mapToInt(f -> f[0].length()).max().orElse(0) + 1;
        for (String[] field : fields) {
            out.println(Table.format(new int[] {width}, field[0] + ":", field[1]));
        }
        out.println();
        Table instances = new Table("INSTANCE", "STATE", "ENDPOINT", "PID", "RESTARTS");
        for (JsonNode instance : app.path("instances")) {
            instances.row(
                    Json.text(instance, "id", null),
                    Json.text(instance, "state", null),
                    Json.text(instance, "endpoint", null),
                    Json.text(instance, "pid", null),
                    Json.text(instance, "restarts", "0"));
        }
        if (instances.isEmpty()) {
            out.println("No instances running.");
        } else {
            instances.print(out);
        }
    }

    private static String bounds(JsonNode spec) {
        String min = Json.text(spec, "min_replicas", null);
        String max = Json.text(spec, "max_replicas", null);
        if (min == null && max == null) {
            return "";
        }
        return " (min " + (min == null ? "1" : min) + ", max " + (max == null ? "-" : max) + ")";
    }

    private static String qualityMetrics(JsonNode spec) {
        List<String> metrics = new ArrayList<>();
        for (JsonNode metric : spec.path("quality_metrics")) {
            metrics.add(Json.text(metric, "metric", "?") + "=" + Json.text(metric, "values", "?"));
        }
        return metrics.isEmpty() ? null : String.join(", ", metrics);
    }

    private static String join(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(item -> items.add(item.asText()));
        return items.isEmpty() ? null : String.join(", ", items);
    }
}
