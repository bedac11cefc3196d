package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import emp.gateway.Backend;
import emp.gateway.Route;
import emp.spi.AppRef;
import emp.spi.app.Rollout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One app on the local cluster: what it should run and the replicas it has. Mutable; guarded by the manager's lock. */
final class LocalApp {
    final AppRef ref;
    /** The app's folder: its state file, its replicas' working folders and logs. */
    final Path dir;
    /** How to start a replica; null for an app adopted from an earlier run until it is deployed again. */
    LaunchPlan plan;
    /** The fingerprint of the plan replicas must run; null when none is known. */
    String fingerprint;
    /** The explicit health path, or null when any answer on {@code /} will do. */
    String healthPath;

    int desired;
    /** The spec's {@code concurrency}, or {@link Route#LEARNED}. */
    int concurrency = Route.LEARNED;

    Duration queueTimeout = Route.DEFAULT_QUEUE_TIMEOUT;
    /** Whether the app runs and may be at zero replicas, to be woken by a request (see AppDeployment). */
    boolean wakesOnDemand;
    /** Whether a replica's working folder and log go when it is stopped on purpose (scaled away, replaced). */
    boolean stateless = true;
    /** How a changed plan replaces the replicas: the spec's {@code rollout}. */
    Rollout rollout = Rollout.DEFAULT;
    /** In the order they were created, oldest first. */
    final List<Replica> replicas = new ArrayList<>();

    LocalApp(AppRef ref, Path dir) {
        this.ref = requireNonNull(ref, "ref is null");
        this.dir = requireNonNull(dir, "dir is null");
    }

    /**
     * How the gateway routes to {@code ready}: with the spec's limit and queue timeout; a request finding no replica
     * ready waits for one while the app is meant to run replicas or wakes on demand.
     */
    Route route(List<Backend> ready) {
        return new Route(ready, concurrency, queueTimeout, desired > 0 || wakesOnDemand);
    }

    Path stateFile() {
        return dir.resolve(AppStateFile.NAME);
    }

    Path replicaDir(String id) {
        return dir.resolve("replicas").resolve(id);
    }

    ReplicaLog replicaLog(String id, int keep) {
        return new ReplicaLog(dir.resolve("logs").resolve(id + ".log"), keep);
    }
}
