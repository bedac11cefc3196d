package emp.cluster.local;

import emp.spi.PluginContext;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.ClusterManagerFactory;
import org.pf4j.Extension;

/** Chosen by {@code cluster.use: local}: replicas as supervised processes on the server's machine. */
@Extension
public final class LocalClusterManagerFactory implements ClusterManagerFactory {
    @Override
    public String name() {
        return "local";
    }

    @Override
    public String description() {
        return "replicas as supervised processes on this machine, behind the embedded gateway";
    }

    @Override
    public ClusterManager create(PluginContext context) {
        return new LocalClusterManager(
                LocalClusterConfig.from(context.config()), context.dataDir(), context.clock(), context.spans());
    }
}
