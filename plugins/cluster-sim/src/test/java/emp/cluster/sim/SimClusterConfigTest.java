package emp.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimClusterConfigTest {
    @Test
    void defaults() {
        SimClusterConfig config = SimClusterConfig.defaults();

        assertThat(config.nodes()).isEqualTo(400);
        assertThat(config.nodeCpus()).isEqualTo(4);
        assertThat(config.nodeMemoryMib()).isEqualTo(8192);
        assertThat(config.defaultCpus()).isEqualTo(0.1);
        assertThat(config.defaultMemoryMib()).isEqualTo(128);
        assertThat(config.startLatency()).isEqualTo(Duration.ofMillis(200));
        assertThat(config.startJitter()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.stopLatency()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.crashProbability()).isZero();
        assertThat(config.restartBackoffInitial()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.restartBackoffMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.seed()).isEqualTo(1);
        assertThat(config.defaultDemand()).isEqualTo(new Demand(100, 128));
        assertThat(config.nodeMillicores()).isEqualTo(4000);
    }

    @Test
    void everyKey() {
        SimClusterConfig config = SimClusterConfig.from(new PluginConfig(
                "cluster.sim",
                Map.ofEntries(
                        Map.entry("nodes", "4000"),
                        Map.entry("node-cpus", "16"),
                        Map.entry("node-memory-mib", "65536"),
                        Map.entry("default-cpus", "0.25"),
                        Map.entry("default-memory-mib", "256"),
                        Map.entry("start-latency", "2s"),
                        Map.entry("start-jitter", "500ms"),
                        Map.entry("stop-latency", "0s"),
                        Map.entry("crash-probability", "0.05"),
                        Map.entry("restart-backoff-initial", "1s"),
                        Map.entry("restart-backoff-max", "1m"),
                        Map.entry("seed", "-42"))));

        assertThat(config)
                .isEqualTo(new SimClusterConfig(
                        4000,
                        16,
                        65536,
                        0.25,
                        256,
                        Duration.ofSeconds(2),
                        Duration.ofMillis(500),
                        Duration.ZERO,
                        0.05,
                        Duration.ofSeconds(1),
                        Duration.ofMinutes(1),
                        -42));
        assertThat(config.defaultDemand()).isEqualTo(new Demand(250, 256));
    }

    @Test
    void keysAreReadAsTheServerWritesThem() {
        SimClusterConfig config = SimClusterConfig.from(
                new PluginConfig("cluster.sim", Map.of("NODE_MEMORY_MIB", "1024", "crash.probability", "1")));

        assertThat(config.nodeMemoryMib()).isEqualTo(1024);
        assertThat(config.crashProbability()).isEqualTo(1);
    }

    @Test
    void aShortLatencyShortensTheJitterLeftUnset() {
        SimClusterConfig config =
                SimClusterConfig.from(new PluginConfig("cluster.sim", Map.of("start-latency", "30ms")));

        assertThat(config.startJitter()).isEqualTo(Duration.ofMillis(30));
    }

    @Test
    void theRestartBackOffDoublesUpToItsLimit() {
        SimClusterConfig config = SimClusterConfig.from(new PluginConfig(
                "cluster.sim", Map.of("restart-backoff-initial", "100ms", "restart-backoff-max", "500ms")));

        assertThat(List.of(1, 2, 3, 4, 40))
                .extracting(config::restartDelayMillis)
                .containsExactly(100L, 200L, 400L, 500L, 500L);
    }

    @Test
    void unknownKeyIsNamed() {
        assertInvalid(Map.of("node-memory", "8192"), "cluster.sim.node-memory");
    }

    @Test
    void badValuesAreNamed() {
        assertInvalid(Map.of("nodes", "0"), "cluster.sim.nodes");
        assertInvalid(Map.of("nodes", "many"), "cluster.sim.nodes");
        assertInvalid(Map.of("node-cpus", "0"), "cluster.sim.node-cpus");
        assertInvalid(Map.of("node-memory-mib", "8Gi"), "cluster.sim.node-memory-mib");
        assertInvalid(Map.of("default-cpus", "lots"), "cluster.sim.default-cpus");
        assertInvalid(Map.of("default-cpus", "0"), "cluster.sim.default-cpus");
        assertInvalid(Map.of("default-cpus", "8"), "cluster.sim.default-cpus");
        assertInvalid(Map.of("default-memory-mib", "0"), "cluster.sim.default-memory-mib");
        assertInvalid(Map.of("node-memory-mib", "512", "default-memory-mib", "1024"), "cluster.sim.default-memory-mib");
        assertInvalid(Map.of("start-latency", "-1s"), "cluster.sim.start-latency");
        assertInvalid(Map.of("start-latency", "soon"), "cluster.sim.start-latency");
        assertInvalid(Map.of("start-latency", "100ms", "start-jitter", "200ms"), "cluster.sim.start-jitter");
        assertInvalid(Map.of("stop-latency", "-5ms"), "cluster.sim.stop-latency");
        assertInvalid(Map.of("crash-probability", "1.5"), "cluster.sim.crash-probability");
        assertInvalid(Map.of("crash-probability", "5%"), "cluster.sim.crash-probability");
        assertInvalid(Map.of("restart-backoff-initial", "0s"), "cluster.sim.restart-backoff-initial");
        assertInvalid(
                Map.of("restart-backoff-initial", "10s", "restart-backoff-max", "1s"),
                "cluster.sim.restart-backoff-max");
        assertInvalid(Map.of("seed", "0x2a"), "cluster.sim.seed");
    }

    private static void assertInvalid(Map<String, String> values, String key) {
        assertThatThrownBy(() -> SimClusterConfig.from(new PluginConfig("cluster.sim", values)))
                .as("%s", values)
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.getMessage()).contains("'" + key + "'");
                });
    }
}
