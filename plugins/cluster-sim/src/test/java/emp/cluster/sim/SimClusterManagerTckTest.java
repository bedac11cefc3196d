package emp.cluster.sim;

import emp.spi.app.AppSpec;
import emp.spi.app.Resources;
import emp.spi.cluster.ClusterManager;
import emp.tck.cluster.AbstractClusterManagerTck;
import emp.tck.cluster.UnsupportedSpec;
import java.util.List;
import java.util.Map;

/**
 * The cluster kit against the simulation. The kit asks nothing of a replica's endpoint but that it is an absolute
 * {@code http} URI, so the simulation's names in {@code .invalid}, which nothing answers, meet it honestly; a crashing
 * spec is one that sets {@code SIM_CRASH_PROBABILITY} to 1.
 */
class SimClusterManagerTckTest extends AbstractClusterManagerTck {
    @Override
    protected ClusterManager newManager() {
        return SimTestCluster.manager(Map.of());
    }

    @Override
    protected AppSpec runnableSpec(String name) {
        return SimTestCluster.app(name);
    }

    @Override
    protected AppSpec crashingSpec(String name) {
        return SimTestCluster.crashing(name);
    }

    /** A replica bigger than a whole node could never be placed: 8 nodes of 4 cpus and 8192 MiB each. */
    @Override
    protected List<UnsupportedSpec> unsupportedSpecs() {
        return List.of(
                new UnsupportedSpec(
                        SimTestCluster.withResources(SimTestCluster.app("tck-many-cpus"), new Resources("6", null)),
                        "resources.cpu"),
                new UnsupportedSpec(
                        SimTestCluster.withResources(
                                SimTestCluster.app("tck-much-memory"), new Resources(null, "16Gi")),
                        "resources.memory"));
    }
}
