package emp.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.ClusterManagerFactory;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;

/**
 * The plugin as the host loads it: its jar in a plugins folder, loaded by PF4J in a class loader of its own. Deploys an
 * app through it, reads it, and removes it.
 */
class SimPluginJarIT {
    @TempDir
    Path dir;

    @Test
    void theJarLoadsInPf4jAndRunsAnApp() throws IOException {
        Path jar = Path.of(System.getProperty("plugin.jar", "target/cluster-sim-0.1.0-SNAPSHOT.jar"));
        assertThat(jar).as("the plugin jar; build it with mvn install").isRegularFile();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(jar, plugins.resolve("cluster-sim.jar"));
        DefaultPluginManager pluginManager = new DefaultPluginManager(plugins);
        pluginManager.loadPlugins();
        pluginManager.startPlugins();
        try {
            List<ClusterManagerFactory> factories =
                    pluginManager.getExtensions(ClusterManagerFactory.class, "cluster-sim");
            assertThat(factories).singleElement().satisfies(factory -> {
                assertThat(factory.name()).isEqualTo("sim");
                assertThat(factory.getClass().getClassLoader())
                        .as("the plugin's own loader")
                        .isNotSameAs(getClass().getClassLoader());
            });
            ClusterManager manager = factories
                    .get(0)
                    .create(new PluginContext(
                            "cluster-sim",
                            new PluginConfig(SimClusterConfig.SECTION, Map.of("nodes", "3", "start-latency", "50ms")),
                            dir,
                            URI.create("http://127.0.0.1:7070"),
                            Clock.systemUTC()));
            AppRef web = new AppRef("alice", "web");
            try {
                manager.start();
                manager.deploy(new AppDeployment(web, SimTestCluster.app("web"), 3, Map.of()));

                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(manager.status(web).instances())
                                .hasSize(3)
                                .extracting(InstanceStatus::state)
                                .containsOnly(InstanceState.READY));
                assertThat(manager.check().healthy()).isTrue();
                assertThat(manager.check().detail()).contains("3 nodes");
                manager.remove(web, false);
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() ->
                                assertThat(manager.status(web).instances()).isEmpty());
            } finally {
                manager.close();
            }
        } finally {
            pluginManager.stopPlugins();
            pluginManager.unloadPlugins();
        }
    }
}
