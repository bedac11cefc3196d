package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import emp.gateway.Backend;
import emp.gateway.Route;
import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.app.Rollout;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * One app on the local cluster: what it should run and the replicas it has. Mutable; guarded by the
 * {@link ClusterState}'s lock.
 */
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
     * How the gateway routes to the app: to its ready replicas, with the spec's limit and queue timeout; a request
     * finding no replica ready waits for one while the app is meant to run replicas or wakes on demand.
     */
    Route route() {
        List<Backend> ready = replicas.stream()
                .filter(replica -> replica.state == InstanceState.READY && replica.handle != null)
                .map(replica -> replica.backend)
                .toList();
        return new Route(ready, concurrency, queueTimeout, desired > 0 || wakesOnDemand);
    }

    /** What the SPI reports of the app: its replicas, each flagged when it runs an older plan than the app's. */
    AppStatus status(LocalClusterConfig config) {
        List<InstanceStatus> instances = new ArrayList<>();
        for (Replica replica : replicas) {
            instances.add(new InstanceStatus(
                    replica.id,
                    replica.state,
                    replica.handle == null ? null : config.replicaUri(replica.port),
                    replica.handle == null ? OptionalLong.empty() : OptionalLong.of(replica.handle.pid()),
                    replica.restarts,
                    replica.since,
                    replica.message,
                    fingerprint != null && !replica.fingerprint.equals(fingerprint)));
        }
        return new AppStatus(ref, true, desired, instances);
    }

    /** Takes the deployment's plan ({@code plan}, made from it) and its settings. */
    void deploy(AppDeployment deployment, LaunchPlan plan) {
        AppSpec spec = deployment.spec();
        this.plan = plan;
        fingerprint = plan.fingerprint();
        healthPath = plan.healthPath();
        stateless = spec.effectiveStateless();
        rollout = spec.effectiveRollout();
        desired = deployment.replicas();
        concurrency = spec.effectiveConcurrency().orElse(Route.LEARNED);
        queueTimeout = spec.effectiveQueueTimeout();
        wakesOnDemand = deployment.wakesOnDemand();
    }

    /** The path its replicas' health is probed on: the spec's, else {@code /}. */
    String probedPath() {
        return healthPath == null ? "/" : healthPath;
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
