package emp.host.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.TestServer;
import emp.host.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release whose replicas start but never pass their health check fails when {@code release.timeout} has passed,
 * and the app goes back to the release before, which served all along.
 */
class ReleaseTimeoutTest {
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
    void aReleaseNeverReadyFailsAtTheTimeoutAndTheOneBeforeComesBack() {
        server = TestServer.start(dataDir, Map.of("release.timeout", "4s"));
        String token = server.signUp("patient");
        assertThat(server.send("PUT", "/v1/apps", token, TestServer.helloSpec("slow", ""))
                        .status())
                .isEqualTo(200);
        awaitRelease(token, 1, "succeeded");

        // a replica that runs but never answers its health path: not a crash, so only the timeout can fail it
        String neverReady =
                "{\"name\": \"slow\", \"command\": [\"sleep\", \"600\"], \"health\": {\"path\": \"/health\"}}";
        assertThat(server.send("PUT", "/v1/apps", token, neverReady).status()).isEqualTo(200);

        JsonNode failed = awaitRelease(token, 2, "failed");

        assertThat(failed.get("status_message").asText())
                .startsWith("0 of 1 replicas were ready after 4s (release.timeout)")
                .contains("is starting")
                .endsWith("'slow' goes back to release v1, which keeps serving");
        JsonNode back = awaitRelease(token, 3, "succeeded");
        assertThat(back.get("rollback_of").asInt()).isEqualTo(1);
        JsonNode app = server.send("GET", "/v1/apps/slow", token, null).json();
        assertThat(app.get("spec").get("command").toString()).contains("-jar");
        assertThat(app.get("instances")).hasSize(1);
        assertThat(app.get("state").asText()).isEqualTo("running");
    }

    private JsonNode awaitRelease(String token, int version, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Reply reply = server.send("GET", "/v1/apps/slow/releases/" + version, token, null);
                    last[0] = reply.json();
                    return status.equals(last[0].path("status").asText());
                });
        return last[0];
    }
}
