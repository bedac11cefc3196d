package emp.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.host.TestServer;
import emp.spi.PlatformException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host loads the real plugin jars from a folder and chooses among their extensions by name. */
class PluginHostTest {
    @Test
    void loadsThePluginJarsAndDescribesThem() {
        try (PluginHost host = new PluginHost(TestServer.pluginsDir())) {
            host.load();
            List<PluginInfo> plugins = host.describe(Map.of(ExtensionPointKind.STORE, "file"));
            assertThat(plugins).extracting(PluginInfo::id).contains("cluster-local", "store-file");
            PluginInfo store = plugins.stream()
                    .filter(plugin -> plugin.id().equals("store-file"))
                    .findFirst()
                    .orElseThrow();
            assertThat(store.state()).isEqualTo("started");
            assertThat(store.version()).isNotBlank();
            assertThat(store.extensions()).singleElement().satisfies(extension -> {
                assertThat(extension.point()).isEqualTo("store");
                assertThat(extension.name()).isEqualTo("file");
                assertThat(extension.active()).isTrue();
            });
            assertThat(host.select(ExtensionPointKind.CLUSTER, "local").pluginId())
                    .isEqualTo("cluster-local");
        }
    }

    @Test
    void aChoiceThatNamesNoPluginSaysWhatIsAvailable() {
        try (PluginHost host = new PluginHost(TestServer.pluginsDir())) {
            host.load();
            assertThatThrownBy(() -> host.select(ExtensionPointKind.CLUSTER, "kubernetes"))
                    .isInstanceOf(PlatformException.class)
                    .hasMessageContaining("cluster.use is 'kubernetes'")
                    .hasMessageContaining("available: local (cluster-local)");
            assertThatThrownBy(() -> host.select(ExtensionPointKind.SCHEDULER, "fastest"))
                    .hasMessageContaining("available: threshold (scheduler-threshold), none");
        }
    }

    @Test
    void anEmptyFolderProvidesNothing(@TempDir Path empty) {
        try (PluginHost host = new PluginHost(empty)) {
            host.load();
            assertThat(host.describe(Map.of())).isEmpty();
            assertThatThrownBy(() -> host.select(ExtensionPointKind.STORE, "file"))
                    .hasMessageContaining("available: none");
        }
    }

    @Test
    void aMissingFolderIsAClearError(@TempDir Path dir) {
        try (PluginHost host = new PluginHost(dir.resolve("nowhere"))) {
            assertThatThrownBy(host::load).hasMessageContaining("nowhere").hasMessageContaining("plugins.dir");
        }
    }
}
