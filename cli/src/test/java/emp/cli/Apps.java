package emp.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** App objects as the server's API returns them, for the fake server's answers. */
final class Apps {
    private Apps() {}

    static ObjectNode app(String name, String state, int desired, int ready) {
        ObjectNode app = Json.MAPPER
                .createObjectNode()
                .put("id", "id-" + name)
                .put("name", name)
                .put("owner", "alice")
                .put("state", state);
        app.putObject("replicas").put("desired", desired).put("ready", ready);
        ArrayNode instances = app.putArray("instances");
        for (int i = 0; i < desired; i++) {
            instances
                    .addObject()
                    .put("id", name + "-" + (i + 1))
                    .put("state", i < ready ? "ready" : "starting")
                    .put("endpoint", "127.0.0.1:" + (41000 + i))
                    .put("pid", 5000 + i)
                    .put("restarts", 0);
        }
        app.put("url", "http://127.0.0.1:8080/alice/" + name + "/");
        ObjectNode spec = app.putObject("spec").put("name", name);
        spec.putArray("command").add("java").add("-jar").add(name + ".jar");
        spec.putArray("quality_metrics")
                .addObject()
                .put("metric", "latency_p95_ms")
                .put("values", "200");
        app.put("created_at", "2025-01-02T03:04:05Z").put("updated_at", "2025-01-02T03:04:06Z");
        return app;
    }

    static String json(Object node) {
        return Json.compact(Json.MAPPER.valueToTree(node));
    }
}
