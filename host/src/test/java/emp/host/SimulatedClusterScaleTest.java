package emp.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform over the simulated cluster (plugins/cluster-sim): 100 users deploy 10 apps each through the API, and
 * all 1,000 apps reach ready; each user's list holds exactly their own, read from the server's memory.
 */
class SimulatedClusterScaleTest {
    private static final int USERS = 100;
    private static final int APPS_PER_USER = 10;

    @TempDir
    Path dataDir;

    @Test
    void aThousandAppsDeployedThroughTheApiAllReachReady() {
        try (TestServer server = TestServer.start(
                dataDir,
                Map.of(
                        "cluster.use", "sim",
                        "cluster.sim.nodes", "400",
                        "cluster.sim.start-latency", "20ms",
                        "cluster.sim.start-jitter", "10ms",
                        "quota.apps-per-user", Integer.toString(APPS_PER_USER)))) {
            List<String> tokens = new ArrayList<>();
            for (int user = 0; user < USERS; user++) {
                String token = server.signUp("user" + user);
                tokens.add(token);
                List<String> specs = new ArrayList<>();
                for (int app = 0; app < APPS_PER_USER; app++) {
                    specs.add(
                            "{\"name\": \"app" + app + "\", \"command\": [\"sleep\", \"infinity\"], \"replicas\": 1}");
                }
                Reply deployed = server.send("PUT", "/v1/apps", token, "[" + String.join(",", specs) + "]");
                assertThat(deployed.status()).as(deployed.body()).isEqualTo(200);
            }

            String operator = tokens.get(0);
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        JsonNode all = server.send("GET", "/v1/apps?all=true", operator, null)
                                .json();
                        return all.size() == USERS * APPS_PER_USER
                                && StreamSupport.stream(all.spliterator(), false)
                                        .allMatch(
                                                app -> app.get("state").asText().equals("running"));
                    });
            for (int user = 0; user < USERS; user += 17) {
                JsonNode own =
                        server.send("GET", "/v1/apps", tokens.get(user), null).json();
                assertThat(own.size()).isEqualTo(APPS_PER_USER);
                String owner = "user" + user;
                assertThat(StreamSupport.stream(own.spliterator(), false)
                                .allMatch(app -> app.get("owner").asText().equals(owner)))
                        .as("user%d's list holds their own apps only", user)
                        .isTrue();
            }
        }
    }
}
