package emp.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import emp.spi.PlatformException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerRestartTest {
    @TempDir
    Path dataDir;

    @Test
    void aRestartedServerFindsItsAccountsTokensAndAppsAndRunsThemAgain() {
        String token;
        try (TestServer first = TestServer.start(dataDir, Map.of())) {
            token = first.signUp("erin");
            assertThat(first.send("POST", "/v1/apps", token, TestServer.helloSpec("kept", ""))
                            .status())
                    .isEqualTo(201);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> first.send("GET", "/v1/apps/kept", token, null)
                                    .json()
                                    .get("replicas")
                                    .get("ready")
                                    .asInt()
                            == 1);
        }
        try (TestServer second = TestServer.start(dataDir, Map.of())) {
            TestServer.Reply app = second.send("GET", "/v1/apps/kept", token, null);
            assertThat(app.status())
                    .as("the token and the app outlive the server")
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> second.send("GET", "/v1/apps/kept", token, null)
                            .json()
                            .get("state")
                            .asText()
                            .equals("running"));
            assertThat(second.send("GET", "/v1/apps/kept/events", token, null).body())
                    .contains("deployed 'kept'");
        }
    }

    @Test
    void aChoiceThatNamesNoPluginStopsTheStart() {
        assertThatThrownBy(() -> TestServer.start(dataDir, Map.of("store.use", "etcd")))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("store.use is 'etcd'")
                .hasMessageContaining("file (store-file)", "redis (store-redis)");
    }
}
