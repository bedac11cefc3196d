package emp.cluster.kubernetes;

/** The PF4J plugin of the Kubernetes cluster; its one extension is {@link KubernetesClusterManagerFactory}. */
public final class KubernetesClusterPlugin extends org.pf4j.Plugin {}
