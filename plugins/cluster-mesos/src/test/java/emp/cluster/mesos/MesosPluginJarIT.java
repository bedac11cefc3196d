package emp.cluster.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.PluginContext;
import emp.spi.PluginState;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.ClusterManagerFactory;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.testsupport.mesos.StandInMaster;
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
 * The plugin as the host loads it: the shaded jar (with its own protobuf runtime and mesos-java classes) in a plugins
 * folder, loaded by PF4J in a class loader of its own, while the test's loader holds other copies of both. Deploys an
 * app on the stand-in master through it, reads it, and removes it.
 */
class MesosPluginJarIT {
    @TempDir
    Path dir;

    @Test
    void theShadedJarLoadsInPf4jAndRunsAnApp() throws IOException {
        Path jar = Path.of(System.getProperty("plugin.jar", "target/cluster-mesos-0.1.0-SNAPSHOT.jar"));
        assertThat(jar).as("the plugin jar; build it with mvn install").isRegularFile();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(jar, plugins.resolve("cluster-mesos.jar"));
        DefaultPluginManager pluginManager = new DefaultPluginManager(plugins);
        pluginManager.loadPlugins();
        pluginManager.startPlugins();
        try (StandInMaster master = MesosTestCluster.master(dir.resolve("mesos"))) {
            List<ClusterManagerFactory> factories =
                    pluginManager.getExtensions(ClusterManagerFactory.class, "cluster-mesos");
            assertThat(factories).singleElement().satisfies(factory -> {
                assertThat(factory.name()).isEqualTo("mesos");
                assertThat(factory.getClass().getClassLoader())
                        .as("the plugin's own loader")
                        .isNotSameAs(getClass().getClassLoader());
            });
            PluginState state = PluginState.inMemory();
            ClusterManager manager = factories
                    .get(0)
                    .create(new PluginContext(
                            "cluster-mesos",
                            MesosTestCluster.config(master, Map.of()),
                            dir,
                            URI.create("http://127.0.0.1:7070"),
                            Clock.systemUTC(),
                            spans -> {},
                            state));
            AppRef web = new AppRef("alice", "web");
            try {
                manager.start();
                manager.deploy(new AppDeployment(web, MesosTestCluster.hello("web"), 2, Map.of()));

                await().atMost(Duration.ofSeconds(60))
                        .untilAsserted(() -> assertThat(manager.status(web).instances())
                                .hasSize(2)
                                .extracting(InstanceStatus::state)
                                .containsOnly(InstanceState.READY));
                assertThat(state.get("framework-id"))
                        .as("kept in the state it was given")
                        .isPresent();
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(manager.logs(web, 1)).hasSize(2));
                assertThat(manager.check().healthy()).isTrue();
                manager.remove(web, false);
                await().atMost(Duration.ofSeconds(20))
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
