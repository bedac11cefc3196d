package emp.spi.scheduler;

import java.util.List;

/**
 * Decides how many replicas each app needs, from what the platform measured. A pure decision: it reads the view and
 * returns decisions; the host clamps them to each app's bounds, applies cool-downs, and carries them out through the
 * same path as a person's {@code emp scale}. Called from one thread, once per tick.
 */
@FunctionalInterface
public interface Scheduler {
    /**
     * @return the apps whose replica count should change, each with its reason in words; an app left out keeps its
     *         count
     */
    List<ScaleDecision> decide(ClusterView view);
}
