package emp.cluster.kubernetes;

import emp.spi.PluginContext;
import emp.spi.PluginState;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.ClusterManagerFactory;
import java.util.Base64;
import java.util.Optional;
import org.pf4j.Extension;

/** Chosen by {@code cluster.use: kubernetes}: apps as Deployments and StatefulSets on a Kubernetes cluster. */
@Extension
public final class KubernetesClusterManagerFactory implements ClusterManagerFactory {
    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public String description() {
        return "apps as Deployments and StatefulSets on a Kubernetes cluster, one namespace per user";
    }

    /** The plugin state's key of the secrets digests' key. */
    static final String DIGEST_KEY = "secrets-digest-key";

    /** Binds and checks {@code cluster.kubernetes.*}; reads no file and calls no server until the manager starts. */
    @Override
    public ClusterManager create(PluginContext context) {
        return new KubernetesClusterManager(
                KubernetesClusterConfig.from(context.config()),
                KubeconfigLoader.system(),
                context.clock(),
                digestKey(context.state()));
    }

    /** The key of the secrets digests, made once and kept in the store, so that every server of a platform has it. */
    private static byte[] digestKey(PluginState state) {
        Optional<String> kept = state.get(DIGEST_KEY);
        if (kept.isPresent()) {
            return Base64.getDecoder().decode(kept.get());
        }
        byte[] key = SecretObjects.newDigestKey();
        state.put(DIGEST_KEY, Base64.getEncoder().encodeToString(key));
        return key;
    }
}
