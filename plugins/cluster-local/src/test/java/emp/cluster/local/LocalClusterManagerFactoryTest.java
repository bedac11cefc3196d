package emp.cluster.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

class LocalClusterManagerFactoryTest {
    @TempDir
    Path dataDir;

    @Test
    void isChosenAsLocal() {
        assertThat(new LocalClusterManagerFactory().name()).isEqualTo("local");
    }

    @Test
    void createsAManagerWithoutTouchingTheDisk() {
        try (var manager = new LocalClusterManagerFactory().create(context(Map.of("gateway-port", "0")))) {
            assertThat(manager).isInstanceOf(LocalClusterManager.class);
            assertThat(manager.check().healthy()).isFalse();
        }
        assertThat(Files.exists(dataDir.resolve("cluster-local"))).isFalse();
    }

    @Test
    void refusesAWrongConfigurationAtCreation() {
        assertThatThrownBy(() -> new LocalClusterManagerFactory().create(context(Map.of("stop-grace", "forever"))))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.getMessage()).contains("'cluster.local.stop-grace'");
                });
    }

    private PluginContext context(Map<String, String> values) {
        return new PluginContext(
                "cluster-local",
                new PluginConfig("cluster.local", values),
                dataDir.resolve("cluster-local"),
                URI.create("http://127.0.0.1:7070"),
                Clock.systemUTC());
    }
}
