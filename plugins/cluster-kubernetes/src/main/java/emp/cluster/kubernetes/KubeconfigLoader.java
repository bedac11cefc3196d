package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Makes the fabric8 client configuration from {@code cluster.kubernetes.*}: a kubeconfig file and context, or the
 * ServiceAccount Kubernetes mounts into EMP's own pod. Reads files, so it runs when the manager starts, never when it
 * is made.
 */
final class KubeconfigLoader {
    /** Where Kubernetes mounts a pod's ServiceAccount token and the cluster's CA certificate. */
    static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    static final String USER_AGENT = "emp-cluster-kubernetes";
    /** How often a failed call is tried again (connection refused, 5xx) before it fails: little, the caller retries. */
    static final int REQUEST_RETRIES = 2;

    static final int RETRY_INTERVAL_MS = 200;

    private final Function<String, String> environment;
    private final Path serviceAccountDir;
    private final Path home;

    /**
     * @param environment       reads an environment variable, null when unset
     * @param serviceAccountDir the folder holding {@code token} and {@code ca.crt} inside a pod
     * @param home              the user's home folder, where {@code .kube/config} is
     */
    KubeconfigLoader(Function<String, String> environment, Path serviceAccountDir, Path home) {
        this.environment = requireNonNull(environment, "environment is null");
        this.serviceAccountDir = requireNonNull(serviceAccountDir, "serviceAccountDir is null");
        this.home = requireNonNull(home, "home is null");
    }

    /** The loader of this process: its environment, the pod's ServiceAccount folder, the user's home. */
    static KubeconfigLoader system() {
        return new KubeconfigLoader(System::getenv, SERVICE_ACCOUNT_DIR, Path.of(System.getProperty("user.home")));
    }

    /**
     * @throws PlatformException of category INVALID naming the key to fix: a kubeconfig that is missing or unreadable,
     *                           a context it lacks, or in-cluster credentials outside a pod
     */
    Config load(KubernetesClusterConfig config) {
        Config client = config.inCluster() ? inCluster() : fromKubeconfig(config);
        int requestTimeout = (int) config.requestTimeout().toMillis();
        client.setRequestTimeout(requestTimeout);
        client.setConnectionTimeout(Math.min(requestTimeout, 10_000));
        client.setRequestRetryBackoffLimit(REQUEST_RETRIES);
        client.setRequestRetryBackoffInterval(RETRY_INTERVAL_MS);
        client.setUserAgent(USER_AGENT);
        return client;
    }

    /** The kubeconfig file: the configured one, else the first of {@code $KUBECONFIG}, else {@code ~/.kube/config}. */
    Path kubeconfigFile(KubernetesClusterConfig config) {
        if (config.kubeconfig() != null) {
            return config.kubeconfig();
        }
        String variable = environment.apply("KUBECONFIG");
        if (variable != null && !variable.isBlank()) {
            return Path.of(variable.split(File.pathSeparator)[0]);
        }
        return home.resolve(".kube").resolve("config");
    }

    private Config fromKubeconfig(KubernetesClusterConfig config) {
        Path file = kubeconfigFile(config);
        String key = KubernetesClusterConfig.SECTION + "." + KubernetesClusterConfig.KUBECONFIG;
        if (!Files.isRegularFile(file)) {
            throw PlatformException.invalid(
                    key,
                    "the kubeconfig '" + file + "' does not exist; set '" + key
                            + "' to the file kubectl uses, or set '" + KubernetesClusterConfig.SECTION + "."
                            + KubernetesClusterConfig.IN_CLUSTER + "' to true when EMP runs inside the cluster");
        }
        String contents;
        try {
            contents = Files.readString(file);
        } catch (IOException | UncheckedIOException e) {
            throw PlatformException.invalid(
                    key,
                    "the kubeconfig '" + file + "' cannot be read (" + e.getMessage()
                            + "); check that the server may read it");
        }
        Config client;
        try {
            client = Config.fromKubeconfig(config.context(), contents, file.toString());
        } catch (RuntimeException e) {
            // The YAML parser's own exceptions included: whatever fails here is the file's fault.
            throw PlatformException.invalid(
                    key,
                    "the kubeconfig '" + file + "' is not one (" + KubernetesErrors.rootCause(e)
                            + "); give a file such as kubectl writes");
        }
        if (config.context() != null) {
            List<String> names = Optional.ofNullable(client.getContexts()).orElse(List.of()).stream()
                    .map(NamedContext::getName)
                    .sorted()
                    .toList();
            if (!names.contains(config.context())) {
                String contextKey = KubernetesClusterConfig.SECTION + "." + KubernetesClusterConfig.CONTEXT;
                throw PlatformException.invalid(
                        contextKey,
                        "configuration key '" + contextKey + "' is '" + config.context()
                                + "', which is not a context of the kubeconfig '" + file + "'; its contexts are "
                                + names);
            }
        }
        return client;
    }

    private Config inCluster() {
        String key = KubernetesClusterConfig.SECTION + "." + KubernetesClusterConfig.IN_CLUSTER;
        String host = environment.apply("KUBERNETES_SERVICE_HOST");
        String port = environment.apply("KUBERNETES_SERVICE_PORT");
        Path token = serviceAccountDir.resolve("token");
        if (host == null || host.isBlank() || port == null || port.isBlank()) {
            throw PlatformException.invalid(
                    key,
                    "'" + key + "' is true, but EMP does not run in a Kubernetes pod (KUBERNETES_SERVICE_HOST and"
                            + " KUBERNETES_SERVICE_PORT are not set); run it in the cluster (deploy/kubernetes), or"
                            + " set it to false and point '" + KubernetesClusterConfig.SECTION
                            + ".kubeconfig' at a kubeconfig");
        }
        if (!Files.isReadable(token)) {
            throw PlatformException.invalid(
                    key,
                    "'" + key + "' is true, but the pod has no ServiceAccount token at '" + token
                            + "'; give EMP's pod a ServiceAccount with automountServiceAccountToken left on");
        }
        Path ca = serviceAccountDir.resolve("ca.crt");
        ConfigBuilder builder = new ConfigBuilder(Config.empty())
                .withMasterUrl("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port)
                // The kubelet renews the token in place; read it again rather than keep the first one.
                .withOauthTokenProvider(new ServiceAccountToken(token))
                .withWatchReconnectInterval(1000)
                .withWatchReconnectLimit(-1);
        if (Files.isReadable(ca)) {
            builder.withCaCertFile(ca.toString());
        }
        return builder.build();
    }

    /** The token file's current contents, read again at most every few seconds. */
    static final class ServiceAccountToken implements io.fabric8.kubernetes.client.OAuthTokenProvider {
        private static final long REREAD_NANOS = 10_000_000_000L;

        private final Path file;
        private String token;
        private long readAt;

        ServiceAccountToken(Path file) {
            this.file = requireNonNull(file, "file is null");
        }

        @Override
        public synchronized String getToken() {
            long now = System.nanoTime();
            if (token == null || now - readAt > REREAD_NANOS) {
                try {
                    token = Files.readString(file).trim();
                    readAt = now;
                } catch (IOException e) {
                    if (token == null) {
                        throw new UncheckedIOException("cannot read the ServiceAccount token '" + file + "'", e);
                    }
                }
            }
            return token;
        }
    }
}
