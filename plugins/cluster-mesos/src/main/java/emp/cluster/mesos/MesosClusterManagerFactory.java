package emp.cluster.mesos;

import emp.spi.PluginContext;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.ClusterManagerFactory;
import org.pf4j.Extension;

/** Chosen by {@code cluster.use: mesos}: apps as tasks of EMP's Mesos framework, behind EMP's gateway. */
@Extension
public final class MesosClusterManagerFactory implements ClusterManagerFactory {
    @Override
    public String name() {
        return "mesos";
    }

    @Override
    public String description() {
        return "apps as tasks of a Mesos framework (v1 scheduler HTTP API), reached through EMP's gateway";
    }

    /** Binds and checks {@code cluster.mesos.*}; calls no master until the manager is used or its server leads. */
    @Override
    public ClusterManager create(PluginContext context) {
        return new MesosClusterManager(
                MesosClusterConfig.from(context.config()), context.clock(), context.state(), context.spans());
    }
}
