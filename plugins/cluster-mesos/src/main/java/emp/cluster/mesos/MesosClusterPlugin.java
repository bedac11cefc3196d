package emp.cluster.mesos;

/** The PF4J plugin of the Mesos cluster; its one extension is {@link MesosClusterManagerFactory}. */
public final class MesosClusterPlugin extends org.pf4j.Plugin {}
