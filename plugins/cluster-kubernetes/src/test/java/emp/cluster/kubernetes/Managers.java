package emp.cluster.kubernetes;

import emp.spi.PluginConfig;
import emp.spi.app.AppSpec;
import emp.spi.app.HealthProbe;
import emp.spi.app.Resources;
import emp.testsupport.kubernetes.MockCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Managers and specs the tests share. */
final class Managers {
    static final String IMAGE = "example.test/hello:1";

    private Managers() {}

    /**
     * A manager of the mock cluster, configured through a kubeconfig file as a person would, with {@code settings}
     * on top (keys of {@code cluster.kubernetes}).
     */
    static KubernetesClusterManager manager(MockCluster cluster, Path dir, Map<String, String> settings) {
        Map<String, String> values = new HashMap<>();
        values.put("kubeconfig", cluster.kubeconfig(dir).toString());
        values.put("sync-timeout", "10s");
        values.putAll(settings);
        return new KubernetesClusterManager(config(values), KubeconfigLoader.system(), Clock.systemUTC());
    }

    /** A client configured as the plugin configures its own: same loader, timeouts and user agent. */
    static KubernetesClient pluginClient(MockCluster cluster, Path dir) {
        KubernetesClusterConfig config =
                config(Map.of("kubeconfig", cluster.kubeconfig(dir).toString()));
        return new KubernetesClientBuilder()
                .withConfig(KubeconfigLoader.system().load(config))
                .withHttpClientFactory(new JdkHttpClientFactory())
                .build();
    }

    static KubernetesClusterConfig config(Map<String, String> values) {
        return KubernetesClusterConfig.from(new PluginConfig(KubernetesClusterConfig.SECTION, values));
    }

    /** A stateless web app with a health path, as the songs example would declare it. */
    static AppSpec web(String name) {
        return new AppSpec(
                name,
                IMAGE,
                null,
                8080,
                List.of(),
                List.of(),
                List.of(),
                null,
                null,
                null,
                new Resources("250m", "256Mi"),
                new HealthProbe("/health"),
                List.of(),
                null,
                null,
                null);
    }

    static AppSpec withImage(AppSpec spec, String image) {
        return new AppSpec(
                spec.name(),
                image,
                spec.stateless(),
                spec.port(),
                spec.envs(),
                spec.qualityMetrics(),
                spec.command(),
                spec.replicas(),
                spec.minReplicas(),
                spec.maxReplicas(),
                spec.resources(),
                spec.health(),
                spec.dependencies(),
                null,
                null,
                null);
    }

    static AppSpec stateful(AppSpec spec) {
        return new AppSpec(
                spec.name(),
                spec.dockerImage(),
                false,
                spec.port(),
                spec.envs(),
                spec.qualityMetrics(),
                spec.command(),
                spec.replicas(),
                spec.minReplicas(),
                spec.maxReplicas(),
                spec.resources(),
                spec.health(),
                spec.dependencies(),
                null,
                null,
                null);
    }
}
