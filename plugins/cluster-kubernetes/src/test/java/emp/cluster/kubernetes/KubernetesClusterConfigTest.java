package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesClusterConfigTest {
    @Test
    void defaults() {
        KubernetesClusterConfig config = KubernetesClusterConfig.defaults();

        assertThat(config.inCluster()).isFalse();
        assertThat(config.kubeconfig()).isNull();
        assertThat(config.context()).isNull();
        assertThat(config.namespacePrefix()).isEqualTo("emp-");
        assertThat(config.storageClass()).isNull();
        assertThat(config.volumeSize()).isEqualTo("1Gi");
        assertThat(config.exposure()).isEqualTo(Exposure.LOAD_BALANCER);
        assertThat(config.ingressClass()).isNull();
        assertThat(config.ingressHost()).isNull();
        assertThat(config.nodeHost()).isNull();
        assertThat(config.kafkaAddress()).isNull();
        assertThat(config.podSecurity()).isEqualTo(PodSecurity.RESTRICTED);
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.syncTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void everyKey() {
        KubernetesClusterConfig kubeconfig = bind(Map.of(
                "kubeconfig", "/etc/emp/kubeconfig",
                "context", "prod",
                "namespace-prefix", "apps-",
                "storage-class", "fast-ssd",
                "volume-size", "5Gi",
                "exposure", "Ingress",
                "ingress-class", "nginx",
                "ingress-host", "apps.example.com",
                "kafka-address", "kafka.emp.svc.cluster.local:9092",
                "request-timeout", "3s"));
        assertThat(kubeconfig.kubeconfig()).isEqualTo(Path.of("/etc/emp/kubeconfig"));
        assertThat(kubeconfig.context()).isEqualTo("prod");
        assertThat(kubeconfig.namespacePrefix()).isEqualTo("apps-");
        assertThat(kubeconfig.storageClass()).isEqualTo("fast-ssd");
        assertThat(kubeconfig.volumeSize()).isEqualTo("5Gi");
        assertThat(kubeconfig.exposure()).isEqualTo(Exposure.INGRESS);
        assertThat(kubeconfig.ingressClass()).isEqualTo("nginx");
        assertThat(kubeconfig.ingressHost()).isEqualTo("apps.example.com");
        assertThat(kubeconfig.kafkaAddress()).isEqualTo("kafka.emp.svc.cluster.local:9092");
        assertThat(kubeconfig.requestTimeout()).isEqualTo(Duration.ofSeconds(3));

        KubernetesClusterConfig inCluster = bind(Map.of(
                "in-cluster",
                "true",
                "exposure",
                "node-port",
                "node-host",
                "203.0.113.7",
                "sync-timeout",
                "0s",
                "pod-security",
                "baseline"));
        assertThat(inCluster.podSecurity()).isEqualTo(PodSecurity.BASELINE);
        assertThat(inCluster.inCluster()).isTrue();
        assertThat(inCluster.exposure()).isEqualTo(Exposure.NODE_PORT);
        assertThat(inCluster.nodeHost()).isEqualTo("203.0.113.7");
        assertThat(inCluster.syncTimeout()).isZero();
        assertThat(inCluster.credentialsSource()).isEqualTo("in-cluster ServiceAccount");

        assertThat(bind(Map.of("exposure", "LOADBALANCER")).exposure()).isEqualTo(Exposure.LOAD_BALANCER);
    }

    @Test
    void unknownKeyIsNamed() {
        assertInvalid(Map.of("storage-clas", "fast"), "cluster.kubernetes.storage-clas", "unknown configuration key");
    }

    @Test
    void badValuesAreNamedWithWhatIsExpected() {
        assertInvalid(Map.of("exposure", "Route"), "cluster.kubernetes.exposure", "LoadBalancer, NodePort, Ingress");
        assertInvalid(
                Map.of("pod-security", "strict"), "cluster.kubernetes.pod-security", "restricted, baseline, none");
        assertInvalid(Map.of("volume-size", "lots"), "cluster.kubernetes.volume-size", "1Gi");
        assertInvalid(Map.of("volume-size", "0Gi"), "cluster.kubernetes.volume-size", "above zero");
        assertInvalid(Map.of("namespace-prefix", "EMP_"), "cluster.kubernetes.namespace-prefix", "lower-case letter");
        assertInvalid(
                Map.of("namespace-prefix", "a-very-long-prefix-indeed-"),
                "cluster.kubernetes.namespace-prefix",
                "at most 19");
        assertInvalid(Map.of("storage-class", "Fast SSD"), "cluster.kubernetes.storage-class", "DNS name");
        assertInvalid(Map.of("in-cluster", "maybe"), "cluster.kubernetes.in-cluster", "true or false");
        assertInvalid(Map.of("request-timeout", "0s"), "cluster.kubernetes.request-timeout", "above zero");
        assertInvalid(Map.of("sync-timeout", "soon"), "cluster.kubernetes.sync-timeout", "duration");
    }

    @Test
    void keysThatDoNotGoTogetherAreRefused() {
        assertInvalid(
                Map.of("in-cluster", "true", "kubeconfig", "/root/.kube/config"),
                "cluster.kubernetes.kubeconfig",
                "ServiceAccount");
        assertInvalid(Map.of("in-cluster", "true", "context", "prod"), "cluster.kubernetes.context", "remove one");
        assertInvalid(Map.of("ingress-host", "apps.example.com"), "cluster.kubernetes.ingress-host", "Ingress");
        assertInvalid(
                Map.of("exposure", "Ingress", "node-host", "203.0.113.7"), "cluster.kubernetes.node-host", "NodePort");
    }

    private static KubernetesClusterConfig bind(Map<String, String> values) {
        return KubernetesClusterConfig.from(new PluginConfig(KubernetesClusterConfig.SECTION, values));
    }

    private static void assertInvalid(Map<String, String> values, String key, String expectation) {
        assertThatThrownBy(() -> bind(values)).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
            assertThat(e.field())
                    .as("the field")
                    .hasValueSatisfying(
                            field -> assertThat(field.replace('_', '-')).isEqualTo(key));
            assertThat(e.getMessage()).contains(expectation);
        });
    }
}
