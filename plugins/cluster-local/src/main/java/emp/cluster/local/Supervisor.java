package emp.cluster.local;

import static emp.cluster.local.Stopper.human;

import emp.cluster.local.ClusterState.Lifecycle;
import emp.gateway.Backend;
import emp.spi.app.AppSpec;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.InstanceState;
import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each app's replicas running as child processes: starts and stops replicas as the app's {@link RolloutStep}
 * says, watches each process, and restarts a replica that exits without being asked after a back-off that doubles up
 * to a limit (from the initial one again once it stayed ready for {@link #STABLE_AFTER}). {@link Prober} says when a
 * replica is ready; {@link Stopper} stops replicas.
 *
 * <p>A process is started with its own free port ({@code PORT}, and {@code $PORT} expanded in the arguments), in its
 * own working folder, walled in by {@link Confinement}, and writes its output straight into its log file, so that it
 * outlives a server that dies. Its environment is the server's, less the server's configuration variables
 * ({@code EMP_*}), plus the launch plan's.
 *
 * <p>Every method runs with the {@link ClusterState}'s lock held; what runs on the executor (exits, restarts) takes it
 * first.
 */
final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    /** A replica that stayed ready this long and then exits is restarted after the initial back-off again. */
    static final Duration STABLE_AFTER = Duration.ofSeconds(10);
    /** The server's configuration variables, which replicas do not inherit; the platform's own are set again. */
    static final String SERVER_VARIABLE_PREFIX = "EMP_";

    private final LocalClusterConfig config;
    private final DataFolder data;
    private final Clock clock;
    private final ClusterState state;
    private final Confinement confinement;
    private final ScheduledExecutorService executor;
    private final Stopper stopper;
    private final Prober prober;
    private final InetAddress bindAddress;
    /** Never given to a replica. */
    private final int gatewayPort;

    Supervisor(
            LocalClusterConfig config,
            DataFolder data,
            Clock clock,
            ClusterState state,
            Confinement confinement,
            ScheduledExecutorService executor,
            Stopper stopper,
            HealthCheck health,
            InetAddress bindAddress,
            int gatewayPort) {
        this.config = config;
        this.data = data;
        this.clock = clock;
        this.state = state;
        this.confinement = confinement;
        this.executor = executor;
        this.stopper = stopper;
        this.prober = new Prober(config, clock, state, health, executor, this::converge);
        this.bindAddress = bindAddress;
        this.gatewayPort = gatewayPort;
    }

    /** Starts and stops the app's replicas as its rollout allows, towards its wanted count of its current plan. */
    void converge(LocalApp app) {
        if (!state.started()) {
            return;
        }
        Map<String, Replica> byId = new HashMap<>();
        app.replicas.forEach(replica -> byId.put(replica.id, replica));
        RolloutStep step = RolloutStep.next(
                app.desired,
                app.fingerprint,
                app.plan != null,
                app.rollout,
                app.replicas.stream().map(Replica::member).toList());
        for (String id : step.stop()) {
            Replica replica = byId.get(id);
            replica.deleteDataOnStop = app.stateless;
            stopper.stop(replica, true);
        }
        for (int i = 0; i < step.start(); i++) {
            int index = state.takeIndex(app.ref);
            Replica replica =
                    new Replica(app, app.ref.name() + "-" + index, index, app.fingerprint, clock.instant(), config);
            app.replicas.add(replica);
            launch(app, replica);
        }
    }

    /** Supervises the process an earlier server started as the replica {@code entry} of the app, probing it at once. */
    void adopt(LocalApp app, AppStateFile.Entry entry, ProcessHandle handle) {
        Replica replica = new Replica(app, entry.id(), entry.index(), entry.fingerprint(), clock.instant(), config);
        replica.restarts = entry.restarts();
        replica.processStarted = entry.started();
        attach(replica, handle, entry.port());
        replica.message = "adopted from an earlier run (pid " + entry.pid() + "); waiting for GET " + app.probedPath()
                + " to answer";
        app.replicas.add(replica);
        log.info("adopted replica {} of app '{}' (pid {}, port {})", entry.id(), app.ref, entry.pid(), entry.port());
        prober.schedule(replica, handle, Duration.ZERO);
    }

    /** Starts the replica's process; when that fails, treats it as a crash, so it is tried again after a back-off. */
    private boolean launch(LocalApp app, Replica replica) {
        int port;
        try {
            port = freePort();
        } catch (IOException e) {
            crashed(app, replica, "could not get a free port on " + config.bindHost() + " (" + e.getMessage() + ")");
            return false;
        }
        List<String> argv = new ArrayList<>(AppSpec.expandPort(app.plan.command(), port));
        ProcessBuilder builder = new ProcessBuilder();
        Map<String, String> environment = builder.environment();
        // The server's own settings (EMP_STORE_REDIS_PASSWORD...) are not the apps' business.
        environment.keySet().removeIf(name -> name.startsWith(SERVER_VARIABLE_PREFIX));
        environment.putAll(app.plan.environment());
        environment.put("PORT", Integer.toString(port));
        // Which replica this is: in a PID namespace of its own every replica is pid 2 to itself.
        environment.put("EMP_INSTANCE", replica.id);
        Optional<String> executable = CommandLine.resolve(argv.get(0), environment.get("PATH"));
        if (executable.isEmpty()) {
            crashed(app, replica, "could not start: '" + argv.get(0) + "' is not on the PATH");
            return false;
        }
        argv.set(0, executable.get());
        Path logFile = replica.log.file();
        builder.directory(replica.workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Process process;
        try {
            confinement.prepare(app.ref, replica.workDir, logFile.getParent(), data.root(), environment);
            builder.command(confinement.command(app.ref, replica.id, replica.workDir, argv, app.plan.limits()));
            try (Writer writer = Files.newBufferedWriter(
                    logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                writer.write("--- emp: " + clock.instant() + " starting replica " + replica.id + " on port " + port
                        + ": " + String.join(" ", argv) + System.lineSeparator());
            }
            process = builder.start();
        } catch (IOException e) {
            crashed(app, replica, "could not start (" + e.getMessage() + ")");
            return false;
        }
        closeQuietly(process);
        ProcessHandle handle = process.toHandle();
        replica.process = process;
        replica.processStarted = handle.info().startInstant().orElse(clock.instant());
        attach(replica, handle, port);
        replica.killed = false;
        replica.enter(
                InstanceState.STARTING,
                clock.instant(),
                "started as pid " + handle.pid() + "; waiting for GET " + app.probedPath() + " to answer");
        log.info("replica {} of app '{}' started as pid {} on port {}", replica.id, app.ref, handle.pid(), port);
        prober.schedule(replica, handle, config.healthInterval());
        state.persist(app);
        return true;
    }

    /** Gives the replica its process and starts watching for its exit. */
    private void attach(Replica replica, ProcessHandle handle, int port) {
        replica.handle = handle;
        replica.port = port;
        replica.backend = new Backend(replica.id, new InetSocketAddress(bindAddress, port));
        replica.failedProbes = 0;
        CompletableFuture<?> exit = replica.process != null ? replica.process.onExit() : handle.onExit();
        try {
            exit.whenCompleteAsync((ignored, error) -> exited(replica, handle), executor);
        } catch (RejectedExecutionException e) {
            // The manager is shutting down; the replica is not supervised any more.
        }
    }

    /** Called on the executor when a replica's process exits, whether it was asked to or not. */
    private void exited(Replica replica, ProcessHandle handle) {
        synchronized (state.lock) {
            if (state.lifecycle == Lifecycle.ABANDONED || replica.handle != handle) {
                return;
            }
            String exit = replica.process == null ? "exited" : "exited with code " + replica.process.exitValue();
            // Before it may start again in the same folder and group: whatever it left running goes with it.
            List<Long> leftovers = confinement.release(replica.app, replica.id, replica.workDir);
            if (!leftovers.isEmpty()) {
                log.info(
                        "killed {} left running by replica {} of app '{}' after it {}",
                        leftovers,
                        replica.id,
                        replica.app,
                        exit);
            }
            replica.handle = null;
            replica.process = null;
            replica.cancelTimers();
            LocalApp app = state.appOf(replica);
            if (replica.state == InstanceState.STOPPING || app == null) {
                stopper.exited(app, replica, exit);
                if (app != null) {
                    converge(app);
                }
                return;
            }
            log.warn("replica {} of app '{}' {}", replica.id, app.ref, exit);
            if (app.plan != null && replica.fingerprint.equals(app.fingerprint)) {
                crashed(app, replica, exit);
                return;
            }
            app.replicas.remove(replica);
            replica.enter(InstanceState.CRASHED, clock.instant(), exit);
            state.emit(
                    replica,
                    ClusterEvent.Type.CRASHED,
                    "replica " + replica.id + " " + exit
                            + (app.plan == null
                                    ? "; it is started again when app '" + app.ref + "' is next deployed"
                                    : "; not restarted, as replicas of the app's new spec replace it"));
            replica.gone.complete(null);
            state.route(app);
            state.persist(app);
            if (app.plan != null) {
                converge(app);
            }
        }
    }

    /** Takes the replica out of rotation and schedules its restart after its back-off. */
    private void crashed(LocalApp app, Replica replica, String what) {
        Instant now = clock.instant();
        if (replica.readySince != null
                && Duration.between(replica.readySince, now).compareTo(STABLE_AFTER) >= 0) {
            replica.nextBackoff = config.restartBackoffInitial();
        }
        Duration delay = replica.nextBackoff;
        Duration doubled = delay.multipliedBy(2);
        replica.nextBackoff = doubled.compareTo(config.restartBackoffMax()) > 0 ? config.restartBackoffMax() : doubled;
        replica.readySince = null;
        replica.enter(InstanceState.CRASHED, now, what + "; restarting in " + human(delay));
        state.route(app);
        state.persist(app);
        state.emit(replica, ClusterEvent.Type.CRASHED, "replica " + replica.id + " " + replica.message);
        try {
            replica.timer = executor.schedule(() -> restart(replica), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: nothing is restarted any more.
        }
    }

    private void restart(Replica replica) {
        synchronized (state.lock) {
            LocalApp app = state.appOf(replica);
            if (!state.started() || app == null || replica.state != InstanceState.CRASHED || replica.handle != null) {
                return;
            }
            replica.timer = null;
            if (app.plan == null || !replica.fingerprint.equals(app.fingerprint)) {
                app.replicas.remove(replica);
                replica.gone.complete(null);
                state.persist(app);
                converge(app);
                return;
            }
            replica.restarts++;
            if (launch(app, replica)) {
                state.emit(
                        replica,
                        ClusterEvent.Type.RESTARTED,
                        "replica " + replica.id + " restarted as pid " + replica.handle.pid() + " on port "
                                + replica.port + " (restart " + replica.restarts + ")");
            }
        }
    }

    private int freePort() throws IOException {
        Set<Integer> taken = new HashSet<>();
        state.replicas().forEach(replica -> taken.add(replica.port));
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, bindAddress)) {
                int port = socket.getLocalPort();
                if (!taken.contains(port) && port != gatewayPort) {
                    return port;
                }
            }
        }
        throw new IOException("every port the OS offered is taken by a replica");
    }

    /** The replica reads nothing from us; closing its stdin now frees the pipe and lets it see end-of-file. */
    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            log.debug("closing the stdin of pid {} failed", process.pid(), e);
        }
    }
}
