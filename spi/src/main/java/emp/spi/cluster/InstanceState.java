package emp.spi.cluster;

/** The life of one replica. */
public enum InstanceState {
    /** Started, not yet answering its health check. */
    STARTING,
    /** Answering its health check; end users' requests may reach it. */
    READY,
    /** Exited or failing; the cluster will restart it after a back-off. */
    CRASHED,
    /** Being stopped (SIGTERM sent, or a pod terminating). */
    STOPPING
}
