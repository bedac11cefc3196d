package emp.host.plugin;

import emp.host.config.HostKey;
import emp.spi.EmpExtension;
import emp.spi.cluster.ClusterManagerFactory;
import emp.spi.scheduler.SchedulerFactory;
import emp.spi.store.StateStoreFactory;
import emp.spi.tracing.TraceSourceFactory;

/** The four extension points, with the factory type a plugin implements and the key that chooses one. */
public enum ExtensionPointKind {
    CLUSTER("cluster", ClusterManagerFactory.class, HostKey.CLUSTER, true),
    STORE("store", StateStoreFactory.class, HostKey.STORE, true),
    TRACING("tracing", TraceSourceFactory.class, HostKey.TRACING, false),
    SCHEDULER("scheduler", SchedulerFactory.class, HostKey.SCHEDULER, false);

    private final String point;
    private final Class<? extends EmpExtension> factoryType;
    private final HostKey choice;
    private final boolean required;

    ExtensionPointKind(String point, Class<? extends EmpExtension> factoryType, HostKey choice, boolean required) {
        this.point = point;
        this.factoryType = factoryType;
        this.choice = choice;
        this.required = required;
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
}
