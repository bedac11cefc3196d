package emp.cluster.kubernetes;

import emp.spi.app.AppSpec;
import emp.spi.cluster.ClusterManager;
import emp.tck.cluster.AbstractClusterManagerTck;
import emp.tck.cluster.UnsupportedSpec;
import emp.testsupport.kubernetes.MockCluster;
import emp.testsupport.kubernetes.StandInController;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster kit against the fabric8 mock API server in CRUD mode, with {@link StandInController} playing the
 * cluster's controllers and kubelets. Apps are exposed through an Ingress with a host, so each has a URL at once.
 */
class KubernetesClusterManagerTckTest extends AbstractClusterManagerTck {
    private static MockCluster cluster;
    private static StandInController controller;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startCluster() {
        cluster = MockCluster.crud();
        controller = new StandInController(cluster).start();
    }

    @AfterAll
    static void stopCluster() {
        if (controller != null) {
            controller.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected ClusterManager newManager() {
        return Managers.manager(cluster, dir, Map.of("exposure", "Ingress", "ingress-host", "apps.example.test"));
    }

    @Override
    protected AppSpec runnableSpec(String name) {
        return Managers.web(name);
    }

    @Override
    protected AppSpec crashingSpec(String name) {
        return Managers.withImage(Managers.web(name), StandInController.CRASH_LOOP_IMAGE);
    }

    @Override
    protected List<UnsupportedSpec> unsupportedSpecs() {
        return List.of(
                new UnsupportedSpec(AppSpec.ofCommand("tck-jar", List.of("java", "-jar", "app.jar")), "docker_image"),
                new UnsupportedSpec(Managers.withImage(Managers.web("tck-blank"), " "), "docker_image"));
    }

    @Override
    protected Duration timeout() {
        return Duration.ofSeconds(30);
    }
}
