package emp.spi.store;

import emp.spi.EmpExtension;
import emp.spi.PluginContext;

/** The extension point of state stores: a PF4J extension that makes a {@link StateStore} from its context. */
public interface StateStoreFactory extends EmpExtension {
    /**
     * Makes the store. Binds and checks the configuration section; does no I/O.
     *
     * @throws emp.spi.PlatformException of category INVALID when the configuration is wrong, naming the key
     */
    StateStore create(PluginContext context);
}
