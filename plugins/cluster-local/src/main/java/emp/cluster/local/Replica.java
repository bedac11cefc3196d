package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import emp.gateway.Backend;
import emp.spi.AppRef;
import emp.spi.cluster.InstanceState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * One replica of an app: its id and folders for the whole run, and the process that runs it now, which changes each
 * time it is restarted. Mutable; every field is guarded by the {@link ClusterState}'s lock.
 */
final class Replica {
    final AppRef app;
    final String id;
    final int index;
    final Path workDir;
    final ReplicaLog log;
    /** The fingerprint of the launch plan it runs; a replica of another plan is replaced when the app rolls. */
    final String fingerprint;
    /** Completes once the replica is gone for good (stopped and forgotten). */
    final CompletableFuture<Void> gone = new CompletableFuture<>();

    /** The running process, or null while there is none (crashed and waiting, or not started yet). */
    ProcessHandle handle;
    /** The same process when this run started it (it knows the exit code); null for an adopted one. */
    Process process;

    int port;
    Instant processStarted;
    /** Where the gateway sends requests while the replica is ready. */
    Backend backend;

    InstanceState state = InstanceState.STARTING;
    Instant since;
    String message;
    int restarts;
    Duration nextBackoff;
    /** When it last became ready, to tell a replica that crashes now and then from one that crashes in a loop. */
    Instant readySince;

    int failedProbes;
    /** Whether it left rotation because it stopped answering its health check while its process kept running. */
    boolean lostHealth;
    /** Whether it got SIGKILL after ignoring SIGTERM for the grace period. */
    boolean killed;
    /** Whether its working folder and log go when it stops (the app was removed without keeping data). */
    boolean deleteDataOnStop;
    /** The pending restart or SIGKILL. */
    Future<?> timer;
    /** The pending health probe. */
    Future<?> probe;

    /** A replica of {@code app} with no process yet; a first crash restarts it after the configured back-off. */
    Replica(LocalApp app, String id, int index, String fingerprint, Instant since, LocalClusterConfig config) {
        this.app = app.ref;
        this.id = requireNonNull(id, "id is null");
        this.index = index;
        this.workDir = app.replicaDir(id);
        this.log = app.replicaLog(id, config.logFiles());
        this.fingerprint = requireNonNull(fingerprint, "fingerprint is null");
        this.since = requireNonNull(since, "since is null");
        this.nextBackoff = config.restartBackoffInitial();
    }

    /** Cancels the pending restart, SIGKILL and probe. */
    void cancelTimers() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (probe != null) {
            probe.cancel(false);
            probe = null;
        }
    }

    /** The replica as its app's rollout sees it. */
    RolloutStep.Member member() {
        return new RolloutStep.Member(id, fingerprint, state);
    }

    void enter(InstanceState newState, Instant now, String newMessage) {
        state = newState;
        since = now;
        message = newMessage;
    }

    @Override
    public String toString() {
        return id;
    }
}
