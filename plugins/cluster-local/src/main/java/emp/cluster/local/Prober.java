package emp.cluster.local;

import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.InstanceState;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks each running replica's health path (see {@link HealthCheck}) for as long as its process runs: a replica that
 * answers becomes ready and joins its app's route; a ready one that misses {@link #LIVENESS_FAILURES} probes in a row
 * leaves the route, without being restarted, until it answers again.
 *
 * <p>Probes wait on the cluster's executor and answers come back on the health check's threads; both take the
 * {@link ClusterState}'s lock before they look at a replica, and {@link #schedule} runs with it held.
 */
final class Prober {
    private static final Logger log = LoggerFactory.getLogger(Prober.class);

    /** How many health probes in a row a ready replica may fail before it leaves rotation. */
    private static final int LIVENESS_FAILURES = 3;

    private final LocalClusterConfig config;
    private final Clock clock;
    private final ClusterState state;
    private final HealthCheck health;
    private final ScheduledExecutorService executor;
    /** Told, with the lock held, of an app whose replica became ready: a rollout may take its next step. */
    private final Consumer<LocalApp> becameReady;

    Prober(
            LocalClusterConfig config,
            Clock clock,
            ClusterState state,
            HealthCheck health,
            ScheduledExecutorService executor,
            Consumer<LocalApp> becameReady) {
        this.config = config;
        this.clock = clock;
        this.state = state;
        this.health = health;
        this.executor = executor;
        this.becameReady = becameReady;
    }

    /** Probes the replica's process {@code handle} after {@code delay}, unless the replica has another by then. */
    void schedule(Replica replica, ProcessHandle handle, Duration delay) {
        try {
            replica.probe = executor.schedule(() -> probe(replica, handle), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: nothing is probed any more.
        }
    }

    /** Asks the replica's health path; runs on the executor, and the answer comes back asynchronously. */
    private void probe(Replica replica, ProcessHandle handle) {
        URI uri;
        boolean explicit;
        Duration timeout;
        synchronized (state.lock) {
            LocalApp app = state.apps.get(replica.app);
            if (!state.started() || replica.handle != handle || app == null) {
                return;
            }
            explicit = app.healthPath != null;
            String path = app.probedPath();
            // A ready replica may be busy serving; give it longer before counting a miss.
            timeout = replica.state == InstanceState.READY ? Duration.ofSeconds(2) : Duration.ofSeconds(1);
            try {
                uri = URI.create(config.replicaUri(replica.port) + (path.startsWith("/") ? path : "/" + path));
            } catch (IllegalArgumentException e) {
                replica.message = "its health path '" + path + "' is not a URL path; fix 'health.path' in the spec";
                schedule(replica, handle, config.livenessInterval());
                return;
            }
        }
        health.ask(uri, explicit, timeout).thenAccept(answer -> probed(replica, handle, answer));
    }

    private void probed(Replica replica, ProcessHandle handle, HealthCheck.Answer answer) {
        synchronized (state.lock) {
            LocalApp app = state.apps.get(replica.app);
            if (!state.started()
                    || replica.handle != handle
                    || app == null
                    || replica.state == InstanceState.STOPPING) {
                return;
            }
            String check = "GET " + app.probedPath();
            Duration next = config.healthInterval();
            if (answer.healthy()) {
                replica.failedProbes = 0;
                next = config.livenessInterval();
                if (replica.state != InstanceState.READY) {
                    boolean again = replica.lostHealth;
                    replica.lostHealth = false;
                    replica.readySince = clock.instant();
                    replica.enter(InstanceState.READY, clock.instant(), null);
                    state.route(app);
                    log.info("replica {} of app '{}' is ready on port {}", replica.id, app.ref, replica.port);
                    state.emit(
                            replica,
                            ClusterEvent.Type.READY,
                            "replica " + replica.id + (again ? " answers " + check + " again" : " is ready")
                                    + " on port " + replica.port + " (pid " + handle.pid() + ")");
                    becameReady.accept(app);
                }
            } else if (replica.state == InstanceState.READY) {
                if (++replica.failedProbes >= LIVENESS_FAILURES) {
                    replica.readySince = null;
                    replica.lostHealth = true;
                    replica.enter(
                            InstanceState.STARTING,
                            clock.instant(),
                            "stopped answering " + check + " (" + answer.answer()
                                    + "); out of rotation until it answers");
                    state.route(app);
                    log.warn("replica {} of app '{}' {}", replica.id, app.ref, replica.message);
                }
            } else if (!replica.lostHealth) {
                replica.message = "waiting for " + check + " to answer; last: " + answer.answer();
            }
            schedule(replica, handle, next);
        }
    }
}
