package emp.cluster.sim;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.app.Rollout;
import java.util.ArrayList;
import java.util.List;

/** One app the simulated cluster holds: what it should run and the replicas it has. Guarded by the cluster's lock. */
final class SimApp {
    final AppRef ref;
    /** What the last deploy asked for. */
    Release release;

    int desired;
    Rollout rollout = Rollout.DEFAULT;
    /** Its replicas, oldest first, the stopping ones among them. */
    final List<SimReplica> replicas = new ArrayList<>(4);

    SimApp(AppRef ref) {
        this.ref = requireNonNull(ref, "ref is null");
    }

    /**
     * The instance of {@code next} to hold: the current one when equal to it, or that of replicas which run it already
     * (an app deployed back to its spec before, whose old replicas become current again), else {@code next} itself.
     */
    Release canonical(Release next) {
        if (next.equals(release)) {
            return release;
        }
        Release checked = release;
        for (SimReplica replica : replicas) {
            if (replica.release != checked) {
                checked = replica.release;
                if (checked.equals(next)) {
                    return checked;
                }
            }
        }
        return next;
    }
}
