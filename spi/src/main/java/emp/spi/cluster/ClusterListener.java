package emp.spi.cluster;

/** Receives what happens to replicas. Called from the cluster manager's threads; must return quickly. */
@FunctionalInterface
public interface ClusterListener {
    void onEvent(ClusterEvent event);
}
