package emp.cluster.kubernetes;

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
import emp.testsupport.kubernetes.MockCluster;
import emp.testsupport.kubernetes.StandInController;
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
 * The plugin as the host loads it: the shaded jar in a plugins folder, loaded by PF4J in a class loader of its own,
 * while the caller's thread has another loader that holds another copy of the fabric8 client (the test's). Deploys,
 * reads and removes an app on the mock cluster through it.
 */
class KubernetesPluginJarIT {
    @TempDir
    Path dir;

    @Test
    void theShadedJarLoadsInPf4jAndRunsAnApp() throws IOException {
        Path jar = Path.of(System.getProperty("plugin.jar", "target/cluster-kubernetes-0.1.0-SNAPSHOT.jar"));
        assertThat(jar).as("the plugin jar; build it with mvn install").isRegularFile();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(jar, plugins.resolve("cluster-kubernetes.jar"));
        DefaultPluginManager pluginManager = new DefaultPluginManager(plugins);
        pluginManager.loadPlugins();
        pluginManager.startPlugins();
        try (MockCluster cluster = MockCluster.crud();
                StandInController controller = new StandInController(cluster).start()) {
            List<ClusterManagerFactory> factories =
                    pluginManager.getExtensions(ClusterManagerFactory.class, "cluster-kubernetes");
            assertThat(factories).singleElement().satisfies(factory -> {
                assertThat(factory.name()).isEqualTo("kubernetes");
                assertThat(factory.getClass().getClassLoader())
                        .as("the plugin's own loader")
                        .isNotSameAs(getClass().getClassLoader());
            });
            ClusterManager manager = factories
                    .get(0)
                    .create(new PluginContext(
                            "cluster-kubernetes",
                            new PluginConfig(
                                    KubernetesClusterConfig.SECTION,
                                    Map.of(
                                            "kubeconfig",
                                                    cluster.kubeconfig(dir).toString(),
                                            "exposure", "Ingress",
                                            "ingress-host", "apps.example.test")),
                            dir,
                            URI.create("http://127.0.0.1:7070"),
                            Clock.systemUTC()));
            AppRef web = new AppRef("alice", "web");
            try {
                manager.start();
                manager.deploy(new AppDeployment(web, Managers.web("web"), 2, Map.of()));

                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(manager.status(web).instances())
                                .hasSize(2)
                                .extracting(InstanceStatus::state)
                                .containsOnly(InstanceState.READY));
                assertThat(manager.endpoint(web)).contains(URI.create("http://apps.example.test/alice/web/"));
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(manager.logs(web, 1)).hasSize(2));
                assertThat(manager.check().healthy()).isTrue();
                manager.remove(web, false);
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(
                                () -> assertThat(manager.status(web).deployed()).isFalse());
            } finally {
                manager.close();
            }
        } finally {
            pluginManager.stopPlugins();
            pluginManager.unloadPlugins();
        }
    }
}
