package emp.cluster.mesos;

import emp.spi.PluginState;
import emp.spi.app.AppSpec;
import emp.spi.cluster.ClusterManager;
import emp.tck.cluster.AbstractClusterManagerTck;
import emp.tck.cluster.UnsupportedSpec;
import emp.testsupport.mesos.StandInMaster;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster kit against the stand-in master, whose agents run the tasks as real processes. Each test's manager
 * registers a framework of its own.
 */
class MesosClusterManagerTckTest extends AbstractClusterManagerTck {
    @TempDir
    static Path dir;

    private static StandInMaster master;

    @BeforeAll
    static void startMaster() {
        master = MesosTestCluster.master(dir);
    }

    @AfterAll
    static void stopMaster() {
        if (master != null) {
            master.close();
        }
    }

    @Override
    protected ClusterManager newManager() {
        return MesosTestCluster.manager(master, PluginState.inMemory(), Map.of());
    }

    @Override
    protected AppSpec runnableSpec(String name) {
        return MesosTestCluster.hello(name);
    }

    @Override
    protected AppSpec crashingSpec(String name) {
        return MesosTestCluster.crashing(name);
    }

    @Override
    protected List<UnsupportedSpec> unsupportedSpecs() {
        AppSpec stateful = MesosTestCluster.stateful("tck-stateful");
        return List.of(new UnsupportedSpec(stateful, "stateless"));
    }
}
