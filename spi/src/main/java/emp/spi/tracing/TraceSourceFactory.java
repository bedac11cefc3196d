package emp.spi.tracing;

import emp.spi.EmpExtension;
import emp.spi.PluginContext;

/** The extension point of trace sources: a PF4J extension that makes a {@link TraceSource} from its context. */
public interface TraceSourceFactory extends EmpExtension {
    /** Makes the source. Binds and checks the configuration section; does no I/O. */
    TraceSource create(PluginContext context);
}
