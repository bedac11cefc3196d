package emp.host.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler chosen in the configuration, the real threshold plugin loaded from its jar, acting on posted spans. */
class SchedulerPluginTest {
    @TempDir
    Path dataDir;

    @Test
    void theConfiguredSchedulerScalesAnAppThatMissesItsTarget() {
        Map<String, String> config = Map.of(
                "scheduler.use", "threshold",
                "scheduler.interval", "200ms",
                "scheduler.cooldown-up", "0s",
                "tracing.settle", "200ms");
        try (TestServer server = TestServer.start(dataDir, config)) {
            JsonNode threshold = server.send("GET", "/v1/plugins", null, null).list().stream()
                    .filter(plugin -> plugin.get("id").asText().equals("scheduler-threshold"))
                    .findFirst()
                    .orElseThrow();
            assertThat(threshold.get("extensions").get(0).get("active").asBoolean())
                    .isTrue();

            String token = server.signUp("sched");
            String spec = TestServer.helloSpec(
                    "slow",
                    "\"replicas\": 1, \"max_replicas\": 2, "
                            + "\"quality_metrics\": [{\"metric\": \"latency_p95_ms\", \"values\": \"5\"}]");
            assertThat(server.send("POST", "/v1/apps", token, spec).status()).isEqualTo(201);

            long now = System.currentTimeMillis() * 1000;
            StringBuilder spans = new StringBuilder("[");
            for (int i = 0; i < 40; i++) {
                spans.append(i == 0 ? "" : ",")
                        .append("{\"traceId\":\"")
                        .append(String.format("%016x", 1000 + i))
                        .append("\",\"id\":\"")
                        .append(String.format("%016x", 5000 + i))
                        .append("\",\"kind\":\"SERVER\",\"name\":\"get\",\"timestamp\":")
                        .append(now - 500_000 + i * 1000)
                        .append(",\"duration\":50000,\"localEndpoint\":{\"serviceName\":\"sched/slow\"}}");
            }
            assertThat(server.postSpans(
                                    server.spanToken(token, "slow"),
                                    spans.append(']').toString())
                            .status())
                    .isEqualTo(202);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> server.send("GET", "/v1/apps/slow", token, null)
                                    .json()
                                    .get("replicas")
                                    .get("desired")
                                    .asInt()
                            == 2);
            assertThat(server.send("GET", "/v1/apps/slow/events", token, null).body())
                    .contains("scaled slow 1 -> 2 by scheduler threshold")
                    .contains("p95")
                    .contains("5 ms target");
        }
    }
}
