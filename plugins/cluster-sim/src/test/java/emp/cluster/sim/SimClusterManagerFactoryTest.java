package emp.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimClusterManagerFactoryTest {
    @TempDir
    Path dataDir;

    @Test
    void isChosenAsSim() {
        assertThat(new SimClusterManagerFactory().name()).isEqualTo("sim");
        assertThat(new SimClusterManagerFactory().description()).contains("simulated");
    }

    @Test
    void createsAManagerThatStartsNothing() {
        try (var manager = new SimClusterManagerFactory().create(context(Map.of("nodes", "3")))) {
            assertThat(manager).isInstanceOf(SimClusterManager.class);
            assertThat(manager.check().healthy()).isFalse();
            assertThat(manager.check().detail()).contains("not started");
            assertThatThrownBy(() -> manager.scale(new AppRef("alice", "web"), 1))
                    .isInstanceOfSatisfying(PlatformException.class, e -> {
                        assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("not started");
                    });
        }
        assertThat(Files.exists(dataDir.resolve("cluster-sim"))).isFalse();
    }

    @Test
    void refusesAWrongConfigurationAtCreation() {
        assertThatThrownBy(() -> new SimClusterManagerFactory().create(context(Map.of("nodes", "none"))))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.getMessage()).contains("'cluster.sim.nodes'");
                });
    }

    private PluginContext context(Map<String, String> values) {
        return new PluginContext(
                "cluster-sim",
                new PluginConfig("cluster.sim", values),
                dataDir.resolve("cluster-sim"),
                URI.create("http://127.0.0.1:7070"),
                Clock.systemUTC());
    }
}
