package emp.cluster.local;

import emp.spi.AppRef;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.InstanceState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops replicas: out of the gateway's route at once, SIGTERM once the requests they have in flight have ended (see
 * {@link Drain}), SIGKILL after the grace period. Once a stopped replica's process is gone it is forgotten, and what it
 * leaves is deleted when it was stopped for good (its folder and log when its app is stateless or was removed without
 * its data; the app's folder after the last replica of an app removed so).
 *
 * <p>Every method runs with the {@link ClusterState}'s lock held; what runs on the executor (drain polls, SIGKILL
 * timers) takes it first, and deletions need none.
 */
final class Stopper {
    private static final Logger log = LoggerFactory.getLogger(Stopper.class);

    private final LocalClusterConfig config;
    private final DataFolder data;
    private final Clock clock;
    private final ClusterState state;
    private final ScheduledExecutorService executor;
    private final Drain drain;
    /** Apps removed without their data whose folder goes once their last replica has stopped. */
    private final Set<AppRef> purge = new HashSet<>();

    Stopper(
            LocalClusterConfig config,
            DataFolder data,
            Clock clock,
            ClusterState state,
            ScheduledExecutorService executor,
            Drain drain) {
        this.config = config;
        this.data = data;
        this.clock = clock;
        this.state = state;
        this.executor = executor;
        this.drain = drain;
    }

    /**
     * Stops a replica; one without a process is forgotten at once.
     *
     * @param draining whether to wait for the gateway's requests to the replica to end before signalling it
     */
    void stop(Replica replica, boolean draining) {
        replica.cancelTimers();
        LocalApp app = state.appOf(replica);
        if (replica.handle == null) {
            forget(app, replica, "replica " + replica.id + " removed");
            return;
        }
        if (replica.state == InstanceState.STOPPING) {
            return;
        }
        ProcessHandle handle = replica.handle;
        replica.enter(InstanceState.STOPPING, clock.instant(), "stopping");
        if (app != null) {
            state.route(app);
        }
        int inFlight = draining && replica.backend != null ? drain.inFlight(replica) : 0;
        if (inFlight == 0) {
            terminate(replica, handle);
            return;
        }
        replica.message = "draining: " + inFlight + " request(s) in flight; SIGTERM follows once they end (at most "
                + human(Drain.LIMIT) + ")";
        log.info(
                "draining replica {} of app '{}' before stopping it: {} request(s) in flight",
                replica.id,
                replica.app,
                inFlight);
        try {
            replica.timer = drain.whenDrained(replica, () -> {
                synchronized (state.lock) {
                    if (replica.handle == handle && replica.state == InstanceState.STOPPING) {
                        terminate(replica, handle);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            terminate(replica, handle);
        }
    }

    /** Stops the replicas of an app the caller took out of the cluster's apps, their data too unless kept. */
    void detach(LocalApp app, boolean keepData) {
        for (Replica replica : List.copyOf(app.replicas)) {
            app.replicas.remove(replica);
            replica.deleteDataOnStop = !keepData;
            state.detached.add(replica);
            stop(replica, true);
        }
    }

    /** SIGTERM now, SIGKILL after the grace period. */
    private void terminate(Replica replica, ProcessHandle handle) {
        replica.timer = null;
        replica.message = "SIGTERM sent; SIGKILL follows in " + human(config.stopGrace());
        log.info("stopping replica {} of app '{}' (pid {})", replica.id, replica.app, handle.pid());
        // A shell that runs the program as its child may die of SIGTERM and leave the program running: signal the tree.
        handle.descendants().forEach(ProcessHandle::destroy);
        handle.destroy();
        try {
            replica.timer = executor.schedule(
                    () -> kill(replica, handle), config.stopGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            killTree(handle);
        }
    }

    private void kill(Replica replica, ProcessHandle handle) {
        synchronized (state.lock) {
            if (replica.handle != handle) {
                return;
            }
            replica.killed = true;
            replica.message = "did not stop within " + human(config.stopGrace()) + " of SIGTERM; SIGKILL sent";
            log.warn("replica {} of app '{}' (pid {}) {}", replica.id, replica.app, handle.pid(), replica.message);
        }
        killTree(handle);
    }

    /**
     * The process of a replica that was being stopped, or of a detached one, has exited: the replica is forgotten.
     *
     * @param app the app the replica is one of, or null for a detached replica
     */
    void exited(LocalApp app, Replica replica, String exit) {
        forget(
                app,
                replica,
                replica.killed
                        ? "replica " + replica.id + " did not stop within " + human(config.stopGrace())
                                + " of SIGTERM and was killed"
                        : "replica " + replica.id + " stopped (" + exit + ")");
    }

    /**
     * Drops a replica that has no process any more, with its folder and log when it was stopped for good, and its
     * app's folder when the app was removed without its data and this was its last replica.
     */
    private void forget(LocalApp app, Replica replica, String message) {
        replica.enter(InstanceState.STOPPING, clock.instant(), message);
        state.detached.remove(replica);
        if (app != null) {
            app.replicas.remove(replica);
            state.route(app);
            state.persist(app);
        }
        state.emit(replica, ClusterEvent.Type.STOPPED, message);
        if (replica.deleteDataOnStop && state.started()) {
            // The paths hold the replica's id, which is never used again, so nothing races with deleting them later.
            Path workDir = replica.workDir;
            ReplicaLog replicaLog = replica.log;
            runLater(() -> {
                DataFolder.deleteTree(workDir);
                try {
                    replicaLog.delete();
                } catch (IOException e) {
                    log.warn("cannot delete the log '{}' ({})", replicaLog.file(), e.toString());
                }
            });
        }
        replica.gone.complete(null);
        purgeIfStopped(replica.app);
    }

    /** Deletes the folder of an app removed without its data once its last replica is gone. */
    void purgeOnceStopped(AppRef ref) {
        purge.add(ref);
        purgeIfStopped(ref);
    }

    /** Keeps the folder of an app that is deployed again. */
    void keepFolder(AppRef ref) {
        purge.remove(ref);
    }

    private void purgeIfStopped(AppRef ref) {
        if (!purge.contains(ref)
                || state.apps.containsKey(ref)
                || state.detached.stream().anyMatch(replica -> replica.app.equals(ref))) {
            return;
        }
        purge.remove(ref);
        Path dir = data.app(ref);
        if (!Files.exists(dir)) {
            return;
        }
        try {
            // Moved aside at once, so that a deploy of the same name right after starts in an empty folder.
            Path trash = data.moveToTrash(dir);
            DataFolder.deleteIfEmpty(dir.getParent());
            runLater(() -> DataFolder.deleteTree(trash));
        } catch (IOException e) {
            DataFolder.deleteTree(dir);
        }
    }

    private void runLater(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * Stops every replica at once as the cluster closes, without draining them: the gateway closes after them, and
     * what they have in flight ends with it.
     *
     * @return done once every replica that had a process is gone; see {@link #awaitStopped}
     */
    CompletableFuture<Void> stopAll() {
        List<CompletableFuture<Void>> gone = new ArrayList<>();
        for (Replica replica : state.replicas()) {
            if (replica.handle != null) {
                gone.add(replica.gone);
            }
            stop(replica, false);
        }
        if (!gone.isEmpty()) {
            log.info("stopping {} replica(s)", gone.size());
        }
        return CompletableFuture.allOf(gone.toArray(CompletableFuture[]::new));
    }

    /** Waits, without the lock, for {@link #stopAll} to end; SIGKILLs the processes left after the grace period. */
    void awaitStopped(CompletableFuture<Void> stopping) {
        if (await(stopping, config.stopGrace().plusMillis(500))) {
            return;
        }
        List<ProcessHandle> left;
        synchronized (state.lock) {
            left = state.replicas().stream()
                    .map(replica -> replica.handle)
                    .filter(handle -> handle != null && handle.isAlive())
                    .toList();
        }
        // The SIGKILL timers may not fire once the executor is shut down; send them here.
        for (ProcessHandle process : left) {
            log.warn(
                    "process {} did not stop within {} of SIGTERM; killing it",
                    process.pid(),
                    human(config.stopGrace()));
            killTree(process);
        }
        await(stopping, Duration.ofSeconds(5));
    }

    private static boolean await(CompletableFuture<Void> future, Duration timeout) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    private static void killTree(ProcessHandle handle) {
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
    }

    /** Short and readable: {@code 500ms}, {@code 2s}, {@code 1.5s}. */
    static String human(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}
