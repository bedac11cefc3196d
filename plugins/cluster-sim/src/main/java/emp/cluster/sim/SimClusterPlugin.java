package emp.cluster.sim;

/** The PF4J plugin of the simulated cluster; its one extension is {@link SimClusterManagerFactory}. */
public final class SimClusterPlugin extends org.pf4j.Plugin {}
