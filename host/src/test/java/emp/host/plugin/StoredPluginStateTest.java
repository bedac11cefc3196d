package emp.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import emp.host.TestServer;
import emp.spi.store.StateStore;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredPluginStateTest {
    @TempDir
    Path dataDir;

    private PluginHost plugins;
    private StateStore store;

    @BeforeEach
    void openStore() {
        plugins = new PluginHost(TestServer.pluginsDir());
        plugins.load();
        store = TestServer.fileStore(plugins, dataDir.resolve("store"));
    }

    @AfterEach
    void closeStore() {
        store.close();
        plugins.close();
    }

    @Test
    void valuesOutliveTheStateThatWroteThemAndArePerPlugin() {
        StoredPluginState mesos = new StoredPluginState(store, "cluster-mesos");
        mesos.put("framework-id", "f-1");
        mesos.put("task/b", "2");
        mesos.put("task/a", "1");
        mesos.put("task/a", "1 again");
        new StoredPluginState(store, "other").put("framework-id", "not mesos'");

        StoredPluginState read = new StoredPluginState(store, "cluster-mesos");

        assertThat(read.get("framework-id")).contains("f-1");
        assertThat(read.all())
                .containsExactly(
                        java.util.Map.entry("framework-id", "f-1"),
                        java.util.Map.entry("task/a", "1 again"),
                        java.util.Map.entry("task/b", "2"));
        read.remove("task/a");
        read.remove("task/never");
        assertThat(mesos.get("task/a")).isEmpty();
        assertThat(new StoredPluginState(store, "other").all()).containsOnlyKeys("framework-id");
    }
}
