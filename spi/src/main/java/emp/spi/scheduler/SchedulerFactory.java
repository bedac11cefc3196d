package emp.spi.scheduler;

import emp.spi.EmpExtension;
import emp.spi.PluginContext;

/** The extension point of schedulers: a PF4J extension that makes a {@link Scheduler} from its context. */
public interface SchedulerFactory extends EmpExtension {
    /** Makes the scheduler. Binds and checks the configuration section. */
    Scheduler create(PluginContext context);
}
