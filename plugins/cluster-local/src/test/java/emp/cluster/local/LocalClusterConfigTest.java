package emp.cluster.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalClusterConfigTest {
    @Test
    void defaults() {
        LocalClusterConfig config = LocalClusterConfig.defaults();

        assertThat(config.gatewayHost()).isEqualTo("127.0.0.1");
        assertThat(config.gatewayPort()).isEqualTo(8080);
        assertThat(config.bindHost()).isEqualTo("127.0.0.1");
        assertThat(config.stopGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.restartBackoffInitial()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.restartBackoffMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.healthInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.livenessInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.logMaxBytes()).isEqualTo(10 * 1024 * 1024);
    }

    @Test
    void everyKey() {
        LocalClusterConfig config = LocalClusterConfig.from(new PluginConfig(
                "cluster.local",
                Map.ofEntries(
                        Map.entry("gateway-host", "0.0.0.0"),
                        Map.entry("gateway-port", "0"),
                        Map.entry("bind-host", "127.0.0.2"),
                        Map.entry("stop-grace", "3s"),
                        Map.entry("restart-backoff-initial", "100ms"),
                        Map.entry("restart-backoff-max", "5m"),
                        Map.entry("health-interval", "1s"),
                        Map.entry("log-max-bytes", "65536"),
                        Map.entry("log-files", "5"),
                        Map.entry("sandbox", "none"),
                        Map.entry("namespaces", "off"),
                        Map.entry("cgroups", "off"),
                        Map.entry("max-processes", "512"))));

        assertThat(config)
                .isEqualTo(new LocalClusterConfig(
                        "0.0.0.0",
                        0,
                        "127.0.0.2",
                        Duration.ofSeconds(3),
                        Duration.ofMillis(100),
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(1),
                        65536,
                        5,
                        LocalClusterConfig.Sandbox.NONE,
                        200_000,
                        50_000,
                        false,
                        false,
                        512));
    }

    @Test
    void keysAreMatchedTheWayEnvironmentVariablesSpellThem() {
        LocalClusterConfig config =
                LocalClusterConfig.from(new PluginConfig("cluster.local", Map.of("GATEWAY_PORT", "9090")));

        assertThat(config.gatewayPort()).isEqualTo(9090);
    }

    @Test
    void unknownKeyIsRefusedByName() {
        assertThatThrownBy(() ->
                        LocalClusterConfig.from(new PluginConfig("cluster.local", Map.of("gateway-prot", "9090"))))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.getMessage())
                            .contains("'cluster.local.gateway-prot'")
                            .contains("gateway-port");
                });
    }

    @Test
    void badValuesAreRefusedByName() {
        assertInvalid(Map.of("gateway-port", "70000"), "cluster.local.gateway-port");
        assertInvalid(Map.of("stop-grace", "soon"), "cluster.local.stop-grace");
        assertInvalid(Map.of("health-interval", "0s"), "cluster.local.health-interval");
        assertInvalid(
                Map.of("restart-backoff-initial", "10s", "restart-backoff-max", "1s"),
                "cluster.local.restart-backoff-max");
        assertInvalid(Map.of("log-max-bytes", "12"), "cluster.local.log-max-bytes");
        assertInvalid(Map.of("sandbox", "jail"), "cluster.local.sandbox");
        assertInvalid(Map.of("namespaces", "on"), "cluster.local.namespaces");
        assertInvalid(Map.of("cgroups", "yes"), "cluster.local.cgroups");
        assertInvalid(Map.of("max-processes", "2"), "cluster.local.max-processes");
    }

    private static void assertInvalid(Map<String, String> values, String key) {
        assertThatThrownBy(() -> LocalClusterConfig.from(new PluginConfig("cluster.local", values)))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.field()).contains(key);
                });
    }
}
