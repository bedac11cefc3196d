package emp.host.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.TestServer;
import emp.host.TestServer.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scale to zero and back on a real server running real replicas, with no scheduler configured. */
class ScaleToZeroTest {
    /** Only a guard against a hung test; no assertion depends on it. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anIdleAppGoesToZeroAndItsFirstRequestWakesItAndIsAnswered() {
        server = TestServer.start(dataDir, Map.of("scheduler.interval", "200ms"));
        String token = server.signUp("zoe");
        Reply deployed = server.send(
                "POST", "/v1/apps", token, TestServer.helloSpec("sleepy", "\"min_replicas\": 0, \"idle_after\": 1"));
        assertThat(deployed.status()).as(deployed.body()).isEqualTo(201);
        String id = deployed.json().get("id").asText();

        await().atMost(HANG_GUARD).untilAsserted(() -> {
            JsonNode app = server.send("GET", "/v1/apps/" + id, token, null).json();
            assertThat(app.get("state").asText()).isEqualTo("idle");
            assertThat(app.get("instances")).isEmpty();
        });
        HttpResponse<String> first =
                TestServer.call(HttpRequest.newBuilder(URI.create(server.gateway() + "/zoe/sleepy/first"))
                        .timeout(HANG_GUARD)
                        .build());

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains("\"path\":\"/first\"");
        List<String> events = server.send("GET", "/v1/apps/" + id + "/events", token, null).list().stream()
                .map(event -> event.get("message").asText())
                .toList();
        assertThat(events)
                .anySatisfy(event -> assertThat(event).contains("1 -> 0 by the platform: idle: no request for"))
                .anySatisfy(event -> assertThat(event)
                        .contains("0 -> 1 by the platform: woken: 1 request(s) wait for it in the gateway"));
        await().atMost(HANG_GUARD).untilAsserted(() -> {
            JsonNode load =
                    server.send("GET", "/v1/apps/" + id + "/load", token, null).json();
            long arrivals = 0;
            long completions = 0;
            long rejected = 0;
            for (JsonNode second : load.get("seconds")) {
                arrivals += second.get("arrivals").asLong();
                completions += second.get("completions").asLong();
                rejected += second.get("rejected").asLong();
            }
            assertThat(arrivals).isEqualTo(1);
            assertThat(completions).isEqualTo(1);
            assertThat(rejected).isZero();
        });
    }

    @Test
    void aStoppedAppThatMayScaleToZeroIsRefusedAtOnceNotHeld() {
        server = TestServer.start(dataDir, Map.of());
        String token = server.signUp("zed");
        Reply deployed = server.send(
                "POST",
                "/v1/apps",
                token,
                TestServer.helloSpec("resting", "\"min_replicas\": 0, \"queue_timeout\": 30"));
        String id = deployed.json().get("id").asText();
        assertThat(server.send("POST", "/v1/apps/" + id + "/stop", token, null).status())
                .isEqualTo(200);

        await().atMost(HANG_GUARD).untilAsserted(() -> {
            HttpResponse<String> refused =
                    TestServer.call(HttpRequest.newBuilder(URI.create(server.gateway() + "/zed/resting/"))
                            .timeout(Duration.ofSeconds(5))
                            .build());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("none is wanted");
        });
    }
}
