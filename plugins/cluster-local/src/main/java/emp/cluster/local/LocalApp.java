package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import java.nio.file.Path;
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
    /** Whether a replica's working folder and log go when it is stopped on purpose (scaled away, replaced). */
    boolean stateless = true;
    /** In the order they were created, oldest first. */
    final List<Replica> replicas = new ArrayList<>();

    LocalApp(AppRef ref, Path dir) {
        this.ref = requireNonNull(ref, "ref is null");
        this.dir = requireNonNull(dir, "dir is null");
    }

    Path stateFile() {
        return dir.resolve(AppStateFile.NAME);
    }

    Path replicaDir(String id) {
        return dir.resolve("replicas").resolve(id);
    }

    ReplicaLog replicaLog(String id) {
        return new ReplicaLog(dir.resolve("logs").resolve(id + ".log"));
    }
}
