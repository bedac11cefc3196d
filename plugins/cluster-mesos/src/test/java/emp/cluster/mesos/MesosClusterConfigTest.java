package emp.cluster.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MesosClusterConfigTest {
    @Test
    void defaults() {
        MesosClusterConfig config = MesosClusterConfig.defaults();

        assertThat(config.master()).isEqualTo(URI.create("http://127.0.0.1:5050"));
        assertThat(config.schedulerEndpoint()).isEqualTo(URI.create("http://127.0.0.1:5050/api/v1/scheduler"));
        assertThat(config.role()).isEqualTo("*");
        assertThat(config.authenticates()).isFalse();
        assertThat(config.user()).isEqualTo("nobody");
        assertThat(config.frameworkName()).isEqualTo("emp");
        assertThat(config.failoverTimeout()).isEqualTo(Duration.ofDays(7));
        assertThat(config.gatewayHost()).isEqualTo("127.0.0.1");
        assertThat(config.gatewayPort()).isEqualTo(8080);
        assertThat(config.gatewayAdvertised()).isEmpty();
        assertThat(config.defaultCpus()).isEqualTo(0.1);
        assertThat(config.defaultMemoryMb()).isEqualTo(128);
        assertThat(config.offerRefusal()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.restartBackoffInitial()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.restartBackoffMax()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.healthInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.healthGrace()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.killGrace()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void everyKey() {
        MesosClusterConfig config = MesosClusterConfig.from(new PluginConfig(
                "cluster.mesos",
                Map.ofEntries(
                        Map.entry("master", "https://mesos.example.test:5050/"),
                        Map.entry("role", "emp/apps"),
                        Map.entry("principal", "emp"),
                        Map.entry("secret", "hush"),
                        Map.entry("user", "apps"),
                        Map.entry("framework-name", "emp-prod"),
                        Map.entry("failover-timeout", "1h"),
                        Map.entry("gateway-host", "0.0.0.0"),
                        Map.entry("gateway-port", "0"),
                        Map.entry("gateway-url", "http://emp.example.test:8080"),
                        Map.entry("default-cpus", "0.25"),
                        Map.entry("default-memory", "256"),
                        Map.entry("offer-refusal", "2m"),
                        Map.entry("restart-backoff-initial", "200ms"),
                        Map.entry("restart-backoff-max", "10s"),
                        Map.entry("health-interval", "500ms"),
                        Map.entry("health-grace", "5s"),
                        Map.entry("kill-grace", "3s"))));

        assertThat(config)
                .isEqualTo(new MesosClusterConfig(
                        URI.create("https://mesos.example.test:5050/"),
                        "emp/apps",
                        "emp",
                        "hush",
                        "apps",
                        "emp-prod",
                        Duration.ofHours(1),
                        "0.0.0.0",
                        0,
                        Optional.of(URI.create("http://emp.example.test:8080")),
                        0.25,
                        256,
                        Duration.ofMinutes(2),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(10),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(3)));
        assertThat(config.authenticates()).isTrue();
        assertThat(config.schedulerEndpoint())
                .isEqualTo(URI.create("https://mesos.example.test:5050/api/v1/scheduler"));
    }

    @Test
    void theSecretIsNeverShown() {
        MesosClusterConfig config = MesosClusterConfig.from(
                new PluginConfig("cluster.mesos", Map.of("principal", "emp", "secret", "hush-hush")));

        assertThat(config.toString()).doesNotContain("hush-hush").contains("secret=****");
    }

    @Test
    void unknownKeyIsNamed() {
        assertInvalid(Map.of("masters", "http://m:5050"), "cluster.mesos.masters");
    }

    @Test
    void badValuesAreNamed() {
        assertInvalid(Map.of("master", "mesos-master:5050"), "cluster.mesos.master");
        assertInvalid(Map.of("master", "ftp://m:5050"), "cluster.mesos.master");
        assertInvalid(Map.of("role", "a role"), "cluster.mesos.role");
        assertInvalid(Map.of("secret", "hush"), "cluster.mesos.principal");
        assertInvalid(Map.of("default-cpus", "lots"), "cluster.mesos.default-cpus");
        assertInvalid(Map.of("default-cpus", "0"), "cluster.mesos.default-cpus");
        assertInvalid(Map.of("default-memory", "1"), "cluster.mesos.default-memory");
        assertInvalid(Map.of("failover-timeout", "0s"), "cluster.mesos.failover-timeout");
        assertInvalid(
                Map.of("restart-backoff-initial", "10s", "restart-backoff-max", "1s"),
                "cluster.mesos.restart-backoff-max");
        assertInvalid(Map.of("gateway-port", "70000"), "cluster.mesos.gateway-port");
    }

    private static void assertInvalid(Map<String, String> values, String key) {
        assertThatThrownBy(() -> MesosClusterConfig.from(new PluginConfig("cluster.mesos", values)))
                .as("%s", values)
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.getMessage()).contains(key);
                    assertThat(e.getMessage()).doesNotContain("hush");
                });
    }
}
