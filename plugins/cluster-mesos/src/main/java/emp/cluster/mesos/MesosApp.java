package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.gateway.Backend;
import emp.gateway.Route;
import emp.spi.AppRef;
import emp.spi.cluster.AppDeployment;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** One app on the Mesos cluster: what it should run, and how its launches fare. Mutable; guarded by the lock. */
final class MesosApp {
    final AppRef ref;
    AppDeployment deployment;
    /** The fingerprint of what a task must run (see {@link TaskFactory#revision}); tasks of another are replaced. */
    String revision;
    /** Failures since the app last had a replica ready: the back-off before the next launch doubles with each. */
    int failures;
    /** No task is launched for the app before this. */
    Instant nextLaunch = Instant.MIN;
    /** Why no offer fits the app's tasks, for {@code emp info}; null while they fit. */
    String unplaceable;
    /**
     * Tasks that failed and wait for their replacement, newest last: shown as CRASHED until it is launched, and read by
     * {@code emp logs}.
     */
    final Deque<MesosTask> crashed = new ArrayDeque<>();

    MesosApp(AppRef ref, AppDeployment deployment, String revision) {
        this.ref = requireNonNull(ref, "ref is null");
        this.deployment = requireNonNull(deployment, "deployment is null");
        this.revision = requireNonNull(revision, "revision is null");
    }

    int desired() {
        return deployment.replicas();
    }

    /**
     * How many tasks of the current revision to launch now: up to the wanted count, and while tasks of an older
     * revision still run, no more than the spec's {@code max_surge} beyond it.
     *
     * @param current  the current revision's tasks, running or starting
     * @param outdated the older revisions' tasks not yet asked to die
     */
    int toLaunch(int current, int outdated) {
        int missing = desired() - current;
        if (outdated > 0) {
            missing = Math.min(missing, desired() + rollout().surge(desired()) - current - outdated);
        }
        return Math.max(0, missing);
    }

    /** How many of the older revisions' tasks that serve to keep while {@code readyCurrent} of the current do. */
    long oldToKeep(long readyCurrent) {
        return Math.max(0, desired() - rollout().unavailable(desired()) - readyCurrent);
    }

    private emp.spi.app.Rollout rollout() {
        return deployment.spec().effectiveRollout();
    }

    /**
     * How the gateway routes to {@code ready}: with the spec's limit and queue timeout; a request finding no replica
     * ready waits for one while the app is meant to run replicas or wakes on demand.
     */
    Route route(List<Backend> ready) {
        return new Route(
                ready,
                deployment.spec().effectiveConcurrency().orElse(Route.LEARNED),
                deployment.spec().effectiveQueueTimeout(),
                desired() > 0 || deployment.wakesOnDemand());
    }
}
