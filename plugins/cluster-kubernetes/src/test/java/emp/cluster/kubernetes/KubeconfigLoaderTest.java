package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.testsupport.kubernetes.MockCluster;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigLoaderTest {
    @TempDir
    Path dir;

    private final Map<String, String> environment = new HashMap<>();

    @Test
    void theCurrentContextOfTheConfiguredKubeconfig() {
        Path kubeconfig = MockCluster.kubeconfig(dir, "http://127.0.0.1:6443");

        Config config =
                loader().load(Managers.config(Map.of("kubeconfig", kubeconfig.toString(), "request-timeout", "4s")));

        assertThat(config.getMasterUrl()).isEqualTo("http://127.0.0.1:6443/");
        assertThat(config.getCurrentContext().getName()).isEqualTo("mock");
        assertThat(config.getAutoOAuthToken()).isEqualTo("test-token");
        assertThat(config.getRequestTimeout()).isEqualTo(4000);
        assertThat(config.getConnectionTimeout()).isEqualTo(4000);
        assertThat(config.getRequestRetryBackoffLimit()).isEqualTo(KubeconfigLoader.REQUEST_RETRIES);
        assertThat(config.getUserAgent()).isEqualTo(KubeconfigLoader.USER_AGENT);
        assertThat(KubeconfigLoader.USER_AGENT)
                .as("the mock tells the plugin's requests from others by it")
                .isEqualTo(MockCluster.PLUGIN_USER_AGENT);
    }

    @Test
    void aNamedContextIsUsedAndAnUnknownOneIsRefusedWithTheKnownOnes() {
        Path kubeconfig = MockCluster.kubeconfig(dir, "http://127.0.0.1:6443");

        Config other = loader().load(Managers.config(Map.of("kubeconfig", kubeconfig.toString(), "context", "other")));
        assertThat(other.getCurrentContext().getName()).isEqualTo("other");

        assertInvalid(
                Map.of("kubeconfig", kubeconfig.toString(), "context", "prod"),
                "cluster.kubernetes.context",
                "'prod', which is not a context of the kubeconfig '" + kubeconfig
                        + "'; its contexts are [mock, other]");
    }

    @Test
    void withoutAPathTheFirstOfKubeconfigThenTheHomeFolderIsRead() {
        Path first = MockCluster.kubeconfig(dir.resolve("first"), "http://127.0.0.1:1001");
        Path home = dir.resolve("home");
        MockCluster.kubeconfig(home.resolve(".kube"), "http://127.0.0.1:1002");
        // MockCluster writes 'kubeconfig'; kubectl's file in the home folder is 'config'.
        rename(home.resolve(".kube/kubeconfig"), home.resolve(".kube/config"));

        environment.put("KUBECONFIG", first + java.io.File.pathSeparator + "/nowhere");
        assertThat(loader(home).load(KubernetesClusterConfig.defaults()).getMasterUrl())
                .isEqualTo("http://127.0.0.1:1001/");

        environment.clear();
        assertThat(loader(home).load(KubernetesClusterConfig.defaults()).getMasterUrl())
                .isEqualTo("http://127.0.0.1:1002/");
    }

    @Test
    void aMissingOrBrokenKubeconfigNamesTheKey() throws IOException {
        assertInvalid(
                Map.of("kubeconfig", dir.resolve("absent").toString()),
                "cluster.kubernetes.kubeconfig",
                "does not exist; set 'cluster.kubernetes.kubeconfig'");

        Path broken = Files.writeString(dir.resolve("broken"), "clusters: [this is: not, {a kubeconfig");
        assertInvalid(Map.of("kubeconfig", broken.toString()), "cluster.kubernetes.kubeconfig", "is not one");
    }

    @Test
    void inClusterOutsideAPodSaysWhatIsMissing() throws IOException {
        assertInvalid(Map.of("in-cluster", "true"), "cluster.kubernetes.in-cluster", "KUBERNETES_SERVICE_HOST");

        environment.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        environment.put("KUBERNETES_SERVICE_PORT", "443");
        assertInvalid(Map.of("in-cluster", "true"), "cluster.kubernetes.in-cluster", "no ServiceAccount token");
    }

    @Test
    void inClusterUsesTheServiceAccountAndReadsItsTokenAgain() throws IOException {
        environment.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        environment.put("KUBERNETES_SERVICE_PORT", "443");
        Path token = Files.writeString(dir.resolve("token"), "first-token\n");
        Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");

        Config config = loader().load(Managers.config(Map.of("in-cluster", "true")));

        assertThat(config.getMasterUrl()).isEqualTo("https://10.96.0.1:443/");
        assertThat(config.getCaCertFile()).isEqualTo(dir.resolve("ca.crt").toString());
        assertThat(config.getOauthTokenProvider().getToken()).isEqualTo("first-token");
        Files.writeString(token, "renewed-token");
        assertThat(new KubeconfigLoader.ServiceAccountToken(token).getToken()).isEqualTo("renewed-token");
    }

    private KubeconfigLoader loader() {
        return loader(dir.resolve("no-home"));
    }

    private KubeconfigLoader loader(Path home) {
        return new KubeconfigLoader(environment::get, dir, home);
    }

    private void assertInvalid(Map<String, String> values, String key, String message) {
        assertThatThrownBy(() -> loader().load(Managers.config(values)))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.field()).contains(key);
                    assertThat(e.getMessage()).contains(message);
                });
    }

    private static void rename(Path from, Path to) {
        try {
            Files.move(from, to);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
