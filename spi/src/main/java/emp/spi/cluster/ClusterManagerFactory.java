package emp.spi.cluster;

import emp.spi.EmpExtension;
import emp.spi.PluginContext;

/** The extension point of cluster managers: a PF4J extension that makes a {@link ClusterManager} from its context. */
public interface ClusterManagerFactory extends EmpExtension {
    /**
     * Makes the manager. Binds and checks the configuration section; does no I/O (that waits for
     * {@link ClusterManager#start()}).
     *
     * @throws emp.spi.PlatformException of category INVALID when the configuration is wrong, naming the key
     */
    ClusterManager create(PluginContext context);
}
