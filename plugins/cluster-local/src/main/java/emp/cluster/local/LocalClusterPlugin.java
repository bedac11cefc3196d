package emp.cluster.local;

/** The PF4J plugin of the local cluster; its one extension is {@link LocalClusterManagerFactory}. */
public final class LocalClusterPlugin extends org.pf4j.Plugin {}
