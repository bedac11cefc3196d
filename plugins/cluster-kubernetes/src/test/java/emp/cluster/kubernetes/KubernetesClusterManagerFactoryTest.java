package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.cluster.ClusterManager;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesClusterManagerFactoryTest {
    @TempDir
    Path dir;

    private final KubernetesClusterManagerFactory factory = new KubernetesClusterManagerFactory();

    @Test
    void isChosenByTheNameKubernetes() {
        assertThat(factory.name()).isEqualTo("kubernetes");
        assertThat(factory.description()).contains("Kubernetes");
    }

    @Test
    void createReadsNothingAndStartSaysWhatIsWrong() {
        ClusterManager manager = factory.create(
                context(Map.of("kubeconfig", dir.resolve("absent").toString())));

        assertThat(manager.check().healthy()).isFalse();
        assertThatThrownBy(manager::start).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
            assertThat(e.field()).contains("cluster.kubernetes.kubeconfig");
        });
        manager.close();
    }

    @Test
    void aTypoFailsAtCreation() {
        assertThatThrownBy(() -> factory.create(context(Map.of("exposure", "Ingress", "ingres-host", "a.example"))))
                .isInstanceOfSatisfying(
                        PlatformException.class,
                        e -> assertThat(e.getMessage())
                                .contains("unknown configuration key 'cluster.kubernetes.ingres-host'"));
    }

    private PluginContext context(Map<String, String> values) {
        return new PluginContext(
                "cluster-kubernetes",
                new PluginConfig(KubernetesClusterConfig.SECTION, values),
                dir,
                URI.create("http://127.0.0.1:7070"),
                Clock.systemUTC());
    }
}
