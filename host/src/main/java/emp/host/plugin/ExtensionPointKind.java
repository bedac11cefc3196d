package emp.host.plugin;

import emp.host.config.HostKey;
import emp.spi.EmpExtension;
import emp.spi.cluster.ClusterManagerFactory;
import emp.spi.scheduler.SchedulerFactory;
import emp.spi.store.StateStoreFactory;
import emp.spi.tracing.TraceSourceFactory;

/**
 * The four extension points, with the factory type a plugin implements, the key that chooses one, and whether it is
 * replaced while the platform runs ({@link HotSwap}) or only at a start.
 */
public enum ExtensionPointKind {
    CLUSTER("cluster", ClusterManagerFactory.class, HostKey.CLUSTER, true, false),
    STORE("store", StateStoreFactory.class, HostKey.STORE, true, false),
    TRACING("tracing", TraceSourceFactory.class, HostKey.TRACING, false, true),
    SCHEDULER("scheduler", SchedulerFactory.class, HostKey.SCHEDULER, false, true);

    private final String point;
    private final Class<? extends EmpExtension> factoryType;
    private final HostKey choice;
    private final boolean required;
    private final boolean swappable;

    ExtensionPointKind(
            String point,
            Class<? extends EmpExtension> factoryType,
            HostKey choice,
            boolean required,
            boolean swappable) {
        this.point = point;
        this.factoryType = factoryType;
        this.choice = choice;
        this.required = required;
        this.swappable = swappable;
    }

    /** The name used in configuration and in the API: {@code cluster}, {@code store}... */
    public String point() {
        return point;
    }

    public Class<? extends EmpExtension> factoryType() {
        return factoryType;
    }

    /** The key whose value names the implementation in use, e.g. {@code store.use}. */
    public HostKey choice() {
        return choice;
    }

    /** Whether the server cannot run without one; the others may be {@code none}. */
    public boolean required() {
        return required;
    }

    /**
     * Whether an operator may choose another while apps run: the scheduler and the trace source. A cluster manager or
     * state store holds the apps and their records, and changes only at a start.
     */
    public boolean swappable() {
        return swappable;
    }
}
