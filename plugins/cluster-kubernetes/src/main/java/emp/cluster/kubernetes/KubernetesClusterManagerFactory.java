package emp.cluster.kubernetes;

import emp.spi.PluginContext;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.ClusterManagerFactory;
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

    /** Binds and checks {@code cluster.kubernetes.*}; reads no file and calls no server until the manager starts. */
    @Override
    public ClusterManager create(PluginContext context) {
        return new KubernetesClusterManager(
                KubernetesClusterConfig.from(context.config()), KubeconfigLoader.system(), context.clock());
    }
}
