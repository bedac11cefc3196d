package emp.cluster.sim;

import emp.spi.PluginContext;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.ClusterManagerFactory;
import org.pf4j.Extension;

/**
 * Chosen by {@code cluster.use: sim}: replicas on hollow, simulated nodes, for scale benchmarks and tests. Nothing
 * runs and nothing answers; see {@link SimClusterManager}.
 */
@Extension
public final class SimClusterManagerFactory implements ClusterManagerFactory {
    @Override
    public String name() {
        return "sim";
    }

    @Override
    public String description() {
        return "a simulated cluster of hollow nodes for benchmarks and tests: replicas are placed and become ready,"
                + " but nothing runs";
    }

    /** Binds and checks {@code cluster.sim.*}; starts no thread until the manager is started. */
    @Override
    public ClusterManager create(PluginContext context) {
        return new SimClusterManager(SimClusterConfig.from(context.config()), context.clock());
    }
}
