package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import emp.gateway.Backend;
import emp.gateway.Gateway;
import emp.gateway.GatewayConfig;
import emp.gateway.GatewayRoutes;
import emp.gateway.GatewaySpans;
import emp.gateway.Route;
import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.ClusterListener;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LogLine;
import emp.spi.tracing.SpanSink;
import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each replica as a supervised child process on this machine, behind the embedded gateway.
 *
 * <p>A replica is started from the spec's {@code command} in its own working folder, with its own free port
 * ({@code PORT}, and {@code $PORT} expanded in the arguments), and writes its output straight into its log file, so
 * it outlives a server that dies. Its environment is the server's, less the server's configuration variables
 * ({@code EMP_*}), plus the spec's {@code envs}, the platform's variables, {@code PORT} and the {@code <DEP>_URL} of
 * each dependency. It is ready once its health path answers; a replica that exits without being asked
 * is restarted after a back-off that doubles up to a limit. A changed spec rolls the replicas: replicas of the new
 * spec start beside the old ones, and each old one is stopped once a new one is ready, so an app whose new spec never
 * becomes ready keeps serving from the old one.
 *
 * <p>Each app's replicas (pid, process start time, port, spec fingerprint) are written to a state file, which
 * {@link #start()} reads to adopt the processes an earlier server left running; {@link #close()} stops them all.
 *
 * <p>The gateway records a span of its own for every request it routes, joining the trace the request names or starting
 * one, and tells the replica it is the parent; those spans go to the platform's {@link SpanSink} (see
 * {@link GatewaySpans}).
 *
 * <p>Thread-safe: one lock guards the apps and their replicas; the gateway reads its routes from a concurrent map
 * that is updated whenever a replica becomes ready or leaves rotation, and listeners are called in order from one
 * thread of the manager's.
 */
public final class LocalClusterManager implements ClusterManager {
    private static final Logger log = LoggerFactory.getLogger(LocalClusterManager.class);

    /** A replica that stayed ready this long and then exits is restarted after the initial back-off again. */
    static final Duration STABLE_AFTER = Duration.ofSeconds(10);
    /** How many health probes in a row a ready replica may fail before it leaves rotation. */
    private static final int LIVENESS_FAILURES = 3;
    /** An adopted process whose start time differs from the recorded one by more than this is another process. */
    private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

    /** How often logs are measured: a stat each, so often enough that a fast writer overshoots its limit little. */
    private static final Duration LOG_ROTATION_PERIOD = Duration.ofMillis(250);
    /** The server's configuration variables, which replicas do not inherit; the platform's own are set again. */
    static final String SERVER_VARIABLE_PREFIX = "EMP_";

    private enum Lifecycle {
        NEW,
        STARTED,
        CLOSING,
        CLOSED,
        ABANDONED
    }

    private final LocalClusterConfig config;
    private final DataFolder data;
    /** What walls replicas in on this machine; chosen at start. */
    private volatile Confinement confinement;

    private final Clock clock;
    private final GatewaySpans gatewaySpans;

    private final Object lock = new Object();
    private final Map<AppRef, LocalApp> apps = new LinkedHashMap<>();
    /** Replicas of removed apps that are still stopping. */
    private final Set<Replica> detached = new HashSet<>();
    /** The number of each app's next new replica; kept across removals so ids are never reused in a run. */
    private final Map<AppRef, Integer> nextIndex = new HashMap<>();
    /** Apps removed without their data whose folder goes once their last replica has stopped. */
    private final Set<AppRef> purge = new HashSet<>();

    private final GatewayRoutes routes = new GatewayRoutes();

    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private Lifecycle lifecycle = Lifecycle.NEW;

    private InetAddress bindAddress;
    private ScheduledThreadPoolExecutor supervisor;
    private ExecutorService notifier;
    private HealthCheck health;
    private Gateway gateway;
    private Drain drain;
    private int gatewayPort;

    /**
     * Makes a manager; does no I/O until {@link #start()}.
     *
     * @param dataDir the plugin's data folder; app state, working folders and logs go below it
     * @param spans   where the gateway's span of each routed request goes (see {@link GatewaySpans}), in batches from
     *                a thread of the manager's
     */
    public LocalClusterManager(LocalClusterConfig config, Path dataDir, Clock clock, SpanSink spans) {
        this.config = requireNonNull(config, "config is null");
        this.data = new DataFolder(requireNonNull(dataDir, "dataDir is null"));
        this.clock = requireNonNull(clock, "clock is null");
        this.gatewaySpans = new GatewaySpans(requireNonNull(spans, "spans is null"), GatewaySpans.DEFAULT_CAPACITY);
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (lifecycle == Lifecycle.STARTED) {
                return;
            }
            if (lifecycle != Lifecycle.NEW) {
                throw new PlatformException(
                        ErrorCategory.INTERNAL, "the local cluster manager was closed; make a new one to start again");
            }
            try {
                Files.createDirectories(data.apps());
            } catch (IOException e) {
                throw PlatformException.unavailable(
                        "the local cluster cannot create its folder '" + data.apps() + "' (" + e
                                + "); check that the server may write to its data folder",
                        e);
            }
            try {
                bindAddress = InetAddress.getByName(config.bindHost());
            } catch (UnknownHostException e) {
                throw PlatformException.invalid(
                        LocalClusterConfig.SECTION + "." + LocalClusterConfig.BIND_HOST,
                        "configuration key '" + LocalClusterConfig.SECTION + "." + LocalClusterConfig.BIND_HOST
                                + "' is '" + config.bindHost()
                                + "', which does not resolve; give an address such as 127.0.0.1");
            }
            supervisor = new ScheduledThreadPoolExecutor(2, threads("cluster-local-supervisor"));
            // Probes and timers pending at close have nothing left to do; do not wait for them.
            supervisor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            supervisor.setRemoveOnCancelPolicy(true);
            notifier = Executors.newSingleThreadExecutor(threads("cluster-local-events"));
            health = new HealthCheck(threads("cluster-local-health"));
            gatewaySpans.start(threads("cluster-local-spans"));
            try {
                gateway = new Gateway(
                        GatewayConfig.defaults(config.gatewayHost(), config.gatewayPort()), routes, gatewaySpans);
                gateway.start();
                routes.attach(gateway);
                drain = new Drain(gateway, supervisor);
                gatewayPort = gateway.port();
            } catch (RuntimeException e) {
                if (gateway != null) {
                    gateway.close();
                    gateway = null;
                }
                gatewaySpans.close();
                shutDownExecutors();
                throw PlatformException.unavailable(
                        "the local cluster's gateway did not start: "
                                + (e.getMessage() == null ? e.toString() : e.getMessage()) + "; its port is '"
                                + LocalClusterConfig.SECTION
                                + "." + LocalClusterConfig.GATEWAY_PORT + "' (0 picks a free one)",
                        e);
            }
            lifecycle = Lifecycle.STARTED;
            supervisor.execute(() -> DataFolder.deleteTree(data.trash()));
            confinement = Confinement.open(config, data.root());
            adoptAll();
            Set<Long> adopted = new HashSet<>();
            Set<String> adoptedGroups = new HashSet<>();
            apps.values()
                    .forEach(app -> app.replicas.forEach(replica -> {
                        if (replica.handle != null) {
                            adopted.add(replica.handle.pid());
                            adoptedGroups.add(Confinement.groupName(app.ref, replica.id));
                        }
                    }));
            confinement.sweep(adoptedGroups);
            OrphanSweep.sweep(data.root(), adopted);
            supervisor.scheduleWithFixedDelay(
                    this::rotateLogs,
                    LOG_ROTATION_PERIOD.toMillis(),
                    LOG_ROTATION_PERIOD.toMillis(),
                    TimeUnit.MILLISECONDS);
            log.info(
                    "local cluster started: data in '{}', gateway on {}, {} app(s) adopted",
                    data.root(),
                    baseUri(),
                    apps.size());
        }
    }

    @Override
    public void validate(AppSpec spec) {
        requireNonNull(spec, "spec is null");
        CommandCheck.validate(spec, confinement);
    }

    @Override
    public void deploy(AppDeployment deployment) {
        requireNonNull(deployment, "deployment is null");
        validate(deployment.spec());
        AppRef ref = deployment.app();
        synchronized (lock) {
            requireStarted();
            LocalApp app = apps.get(ref);
            if (app == null) {
                app = new LocalApp(ref, data.app(ref));
                apps.put(ref, app);
            }
            LaunchPlan plan =
                    LaunchPlan.of(deployment, dependency -> dependencyUrl(new AppRef(ref.owner(), dependency)));
            String fingerprint = plan.fingerprint();
            if (!fingerprint.equals(app.fingerprint)) {
                log.info("deploying app '{}' with spec {} and {} replica(s)", ref, fingerprint, deployment.replicas());
            } else if (app.desired != deployment.replicas()) {
                log.info("scaling app '{}' from {} to {} replica(s)", ref, app.desired, deployment.replicas());
            }
            app.plan = plan;
            app.fingerprint = fingerprint;
            app.healthPath = plan.healthPath();
            app.stateless = deployment.spec().effectiveStateless();
            app.rollout = deployment.spec().effectiveRollout();
            app.desired = deployment.replicas();
            app.concurrency = deployment.spec().effectiveConcurrency().orElse(Route.LEARNED);
            app.queueTimeout = deployment.spec().effectiveQueueTimeout();
            app.wakesOnDemand = deployment.wakesOnDemand();
            purge.remove(ref);
            converge(app);
            updateRoutes(app);
            persist(app);
        }
    }

    @Override
    public void scale(AppRef ref, int replicas) {
        requireNonNull(ref, "app is null");
        if (replicas < 0) {
            throw PlatformException.invalid(
                    "replicas", "replica count " + replicas + " for app '" + ref + "' is negative; give 0 or more");
        }
        synchronized (lock) {
            requireStarted();
            LocalApp app = apps.get(ref);
            if (app == null) {
                throw PlatformException.notFound(
                        "app '" + ref + "' is not deployed on the local cluster; deploy it before scaling it");
            }
            if (app.desired != replicas) {
                log.info("scaling app '{}' from {} to {} replica(s)", ref, app.desired, replicas);
            }
            app.desired = replicas;
            if (app.plan == null && replicas > app.replicas.size()) {
                log.warn(
                        "app '{}' was adopted from an earlier run and not deployed since; its new replicas start when it is deployed again",
                        ref);
            }
            converge(app);
            updateRoutes(app);
            persist(app);
        }
    }

    @Override
    public void remove(AppRef ref, boolean keepData) {
        requireNonNull(ref, "app is null");
        synchronized (lock) {
            requireStarted();
            LocalApp app = apps.remove(ref);
            routes.remove(ref);
            if (app != null) {
                log.info("removing app '{}'{}", ref, keepData ? ", keeping its folder" : "");
                try {
                    Files.deleteIfExists(app.stateFile());
                } catch (IOException e) {
                    log.warn(
                            "cannot delete '{}' ({}); the next start will find app '{}' with no replicas",
                            app.stateFile(),
                            e.toString(),
                            ref);
                }
                for (Replica replica : List.copyOf(app.replicas)) {
                    app.replicas.remove(replica);
                    replica.deleteDataOnStop = !keepData;
                    detached.add(replica);
                    stop(replica);
                }
            }
            if (!keepData) {
                purge.add(ref);
                purgeIfStopped(ref);
            }
        }
    }

    @Override
    public AppStatus status(AppRef ref) {
        requireNonNull(ref, "app is null");
        synchronized (lock) {
            LocalApp app = apps.get(ref);
            if (app == null) {
                return AppStatus.absent(ref);
            }
            List<InstanceStatus> instances = new ArrayList<>();
            for (Replica replica : app.replicas) {
                instances.add(new InstanceStatus(
                        replica.id,
                        replica.state,
                        replica.handle == null ? null : replicaUri(replica.port),
                        replica.handle == null ? OptionalLong.empty() : OptionalLong.of(replica.handle.pid()),
                        replica.restarts,
                        replica.since,
                        replica.message,
                        app.fingerprint != null && !replica.fingerprint.equals(app.fingerprint)));
            }
            return new AppStatus(ref, true, app.desired, instances);
        }
    }

    @Override
    public Set<AppRef> apps() {
        synchronized (lock) {
            return Set.copyOf(apps.keySet());
        }
    }

    @Override
    public void watch(ClusterListener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    /** {@code http://gateway-host:port/{owner}/{name}/}, once the manager is started and the app deployed. */
    @Override
    public Optional<URI> endpoint(AppRef ref) {
        requireNonNull(ref, "app is null");
        synchronized (lock) {
            if (gateway == null || !(apps.containsKey(ref) || routes.runsElsewhere(ref))) {
                return Optional.empty();
            }
            return Optional.of(URI.create(dependencyUrl(ref) + "/"));
        }
    }

    /** {@code http://gateway-host:port/{owner}/{name}}: what {@code <NAME>_URL} is set to in the apps that call it. */
    @Override
    public Optional<URI> internalEndpoint(AppRef ref) {
        requireNonNull(ref, "app is null");
        synchronized (lock) {
            if (gateway == null || !(apps.containsKey(ref) || routes.runsElsewhere(ref))) {
                return Optional.empty();
            }
            return Optional.of(dependencyUrl(ref));
        }
    }

    /**
     * The app's load as the gateway measured it, for an app this server runs: every request to it, from end users and
     * from the apps that call it, passes the gateway.
     */
    @Override
    public Optional<LoadFigures> load(AppRef ref) {
        requireNonNull(ref, "app is null");
        Gateway serving;
        synchronized (lock) {
            if (gateway == null || !apps.containsKey(ref)) {
                return Optional.empty();
            }
            serving = gateway;
        }
        return serving.load(ref.owner(), ref.name());
    }

    /** The gateway, {@code http://gateway-host:port}, once started. */
    @Override
    public Optional<URI> entryPoint() {
        synchronized (lock) {
            return gateway == null ? Optional.empty() : Optional.of(baseUri());
        }
    }

    @Override
    public List<LogLine> logs(AppRef ref, int tail) {
        requireNonNull(ref, "app is null");
        if (tail < 0) {
            throw PlatformException.invalid("tail", "tail " + tail + " is negative; ask for 0 or more lines");
        }
        Map<String, ReplicaLog> replicaLogs = new LinkedHashMap<>();
        synchronized (lock) {
            LocalApp app = apps.get(ref);
            if (app == null) {
                throw PlatformException.notFound("app '" + ref
                        + "' is not deployed on the local cluster, so it has no logs; check the app's name");
            }
            app.replicas.forEach(replica -> replicaLogs.put(replica.id, replica.log));
        }
        List<LogLine> lines = new ArrayList<>();
        replicaLogs.forEach((id, replicaLog) -> {
            try {
                replicaLog.tail(tail).forEach(line -> lines.add(new LogLine(id, line)));
            } catch (IOException e) {
                throw new PlatformException(
                        ErrorCategory.INTERNAL,
                        "cannot read the log of replica " + id + " at '" + replicaLog.file() + "' (" + e
                                + "); check the server's data folder",
                        e);
            }
        });
        return lines;
    }

    @Override
    public Health check() {
        synchronized (lock) {
            return switch (lifecycle) {
                case NEW -> Health.unhealthy("local cluster not started");
                case STARTED -> {
                    long replicas = apps.values().stream()
                            .mapToLong(app -> app.replicas.size())
                            .sum();
                    long ready = apps.values().stream()
                            .flatMap(app -> app.replicas.stream())
                            .filter(replica -> replica.state == InstanceState.READY)
                            .count();
                    yield Health.healthy("local processes: " + apps.size() + " app(s), " + ready + " of " + replicas
                            + " replica(s) ready; gateway " + baseUri() + "; data in " + data.root());
                }
                case CLOSING, CLOSED, ABANDONED -> Health.unhealthy("local cluster closed");
            };
        }
    }

    /**
     * Stops every replica (SIGTERM to all at once, SIGKILL to those still running after the grace period), then the
     * gateway. A server killed without closing leaves its replicas running for the next one to adopt.
     */
    @Override
    public void close() {
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        List<ProcessHandle> processes = new ArrayList<>();
        synchronized (lock) {
            if (lifecycle != Lifecycle.STARTED) {
                if (lifecycle == Lifecycle.NEW) {
                    lifecycle = Lifecycle.CLOSED;
                }
                return;
            }
            lifecycle = Lifecycle.CLOSING;
            routes.clear();
            List<Replica> all = new ArrayList<>(detached);
            apps.values().forEach(app -> all.addAll(app.replicas));
            for (Replica replica : all) {
                if (replica.handle != null) {
                    processes.add(replica.handle);
                    stopping.add(replica.gone);
                }
                // The gateway closes after them: what they have in flight ends with it, so there is nothing to drain.
                stop(replica, false);
            }
        }
        if (!stopping.isEmpty()) {
            log.info("stopping {} replica(s)", stopping.size());
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new));
        if (!await(all, config.stopGrace().plusMillis(500))) {
            // The SIGKILL timers may not fire once the supervisor is shut down; send them here.
            processes.stream().filter(ProcessHandle::isAlive).forEach(process -> {
                log.warn(
                        "process {} did not stop within {} of SIGTERM; killing it",
                        process.pid(),
                        human(config.stopGrace()));
                killTree(process);
            });
            await(all, Duration.ofSeconds(5));
        }
        synchronized (lock) {
            lifecycle = Lifecycle.CLOSED;
            apps.values().forEach(this::persist);
        }
        gateway.close();
        // After the gateway, so that the spans of the last requests it ended are handed over too.
        gatewaySpans.close();
        shutDownExecutors();
        log.info("local cluster closed");
    }

    /**
     * Lets go of everything without stopping the replicas, as a server that is killed would: the processes keep
     * running and a new manager on the same data folder adopts them. Only for tests of adoption.
     */
    void abandon() {
        synchronized (lock) {
            if (lifecycle != Lifecycle.STARTED) {
                return;
            }
            lifecycle = Lifecycle.ABANDONED;
            apps.values().forEach(app -> app.replicas.forEach(Replica::cancelTimers));
            detached.forEach(Replica::cancelTimers);
        }
        gateway.close();
        // After the gateway, so that the spans of the last requests it ended are handed over too.
        gatewaySpans.close();
        shutDownExecutors();
    }

    /**
     * Routes the gateway to the ready replicas another server runs: those with a {@code http} endpoint. Replicas this
     * manager still runs of those apps (it led before, or adopted them after a crash) are stopped, keeping their
     * folders: another server runs the app now. Called on the reconciler's thread, never a gateway event loop: host
     * names resolve here.
     */
    @Override
    public void runningElsewhere(Map<AppRef, List<InstanceStatus>> instances) {
        for (AppRef ref : apps()) {
            if (instances.containsKey(ref)) {
                log.info("app '{}' runs on another server of the control plane now; stopping its replicas here", ref);
                remove(ref, true);
            }
        }
        routes.elsewhereInstances(instances);
    }

    /** The ready replicas the gateway is told of for the app now. */
    Optional<List<Backend>> routes(AppRef app) {
        return routes.route(app).map(Route::backends);
    }

    // ---- convergence; every method below runs with the lock held unless it says otherwise ----

    /**
     * Starts and stops replicas until the app runs {@code desired} replicas of its current plan. Replicas of an older
     * plan keep serving until enough of the current plan are ready to take their place, as the spec's
     * {@code rollout} allows: at most {@code max_surge} replicas beyond the wanted count, at most
     * {@code max_unavailable} fewer serving.
     */
    private void converge(LocalApp app) {
        if (lifecycle != Lifecycle.STARTED) {
            return;
        }
        List<Replica> current = new ArrayList<>();
        List<Replica> old = new ArrayList<>();
        for (Replica replica : app.replicas) {
            if (replica.state != InstanceState.STOPPING) {
                (replica.fingerprint.equals(app.fingerprint) ? current : old).add(replica);
            }
        }
        while (current.size() > app.desired) {
            // Newest first: the oldest replicas have proven themselves.
            Replica replica = current.remove(current.size() - 1);
            replica.deleteDataOnStop = app.stateless;
            stop(replica);
        }
        long ready = current.stream()
                .filter(replica -> replica.state == InstanceState.READY)
                .count();
        // Old replicas that serve stay until new ones are ready in their place, less the spec's max_unavailable.
        long keep = Math.max(0, app.desired - app.rollout.unavailable(app.desired) - ready);
        for (Iterator<Replica> each = old.iterator(); each.hasNext(); ) {
            Replica replica = each.next();
            if (keep > 0 && replica.state == InstanceState.READY) {
                keep--;
            } else {
                replica.deleteDataOnStop = app.stateless;
                stop(replica);
                each.remove();
            }
        }
        if (app.plan != null) {
            // While old replicas serve, at most max_surge more than wanted run.
            int room = old.isEmpty() ? Integer.MAX_VALUE : app.desired + app.rollout.surge(app.desired) - old.size();
            while (current.size() < app.desired && current.size() < room) {
                Replica replica = newReplica(app);
                current.add(replica);
                launch(app, replica);
            }
        }
    }

    private Replica newReplica(LocalApp app) {
        int index = nextIndex.getOrDefault(app.ref, 1);
        nextIndex.put(app.ref, index + 1);
        String id = app.ref.name() + "-" + index;
        Replica replica = new Replica(
                app.ref,
                id,
                index,
                app.replicaDir(id),
                app.replicaLog(id, config.logFiles()),
                app.fingerprint,
                clock.instant(),
                config.restartBackoffInitial());
        app.replicas.add(replica);
        return replica;
    }

    /** Starts the replica's process; when that fails, treats it as a crash, so it is tried again after a back-off. */
    private boolean launch(LocalApp app, Replica replica) {
        LaunchPlan plan = app.plan;
        int port;
        try {
            port = freePort();
        } catch (IOException e) {
            crashed(app, replica, "could not get a free port on " + config.bindHost() + " (" + e.getMessage() + ")");
            return false;
        }
        List<String> argv = new ArrayList<>(AppSpec.expandPort(plan.command(), port));
        ProcessBuilder builder = new ProcessBuilder();
        Map<String, String> environment = builder.environment();
        // The server's own settings (EMP_STORE_REDIS_PASSWORD...) are not the apps' business.
        environment.keySet().removeIf(name -> name.startsWith(SERVER_VARIABLE_PREFIX));
        environment.putAll(plan.environment());
        environment.put("PORT", Integer.toString(port));
        // Which replica this is: in a PID namespace of its own every replica is pid 2 to itself.
        environment.put("EMP_INSTANCE", replica.id);
        Optional<String> executable = CommandLine.resolve(argv.get(0), environment.get("PATH"));
        if (executable.isEmpty()) {
            crashed(app, replica, "could not start: '" + argv.get(0) + "' is not on the PATH");
            return false;
        }
        argv.set(0, executable.get());
        builder.directory(replica.workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(
                        ProcessBuilder.Redirect.appendTo(replica.log.file().toFile()));
        Process process;
        try {
            confinement.prepare(app.ref, replica.workDir, replica.log.file().getParent(), data.root(), environment);
            builder.command(confinement.command(app.ref, replica.id, replica.workDir, argv, plan.limits()));
            try (Writer writer = Files.newBufferedWriter(
                    replica.log.file(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
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
                "started as pid " + handle.pid() + "; waiting for GET " + healthPathOf(app) + " to answer");
        log.info("replica {} of app '{}' started as pid {} on port {}", replica.id, app.ref, handle.pid(), port);
        scheduleProbe(replica, handle, config.healthInterval());
        persist(app);
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
            exit.whenCompleteAsync((ignored, error) -> exited(replica, handle), supervisor);
        } catch (RejectedExecutionException e) {
            // The manager is shutting down; the replica is not supervised any more.
        }
    }

    /** Called on the supervisor when a replica's process exits, whether it was asked to or not. */
    private void exited(Replica replica, ProcessHandle handle) {
        synchronized (lock) {
            if (lifecycle == Lifecycle.ABANDONED || replica.handle != handle) {
                return;
            }
            Process process = replica.process;
            String exit = process == null ? "exited" : "exited with code " + process.exitValue();
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
            LocalApp app = apps.get(replica.app);
            boolean attached = app != null && app.replicas.contains(replica);
            if (replica.state == InstanceState.STOPPING || !attached) {
                forget(
                        attached ? app : null,
                        replica,
                        replica.killed
                                ? "replica " + replica.id + " did not stop within " + human(config.stopGrace())
                                        + " of SIGTERM and was killed"
                                : "replica " + replica.id + " stopped (" + exit + ")");
                if (attached) {
                    converge(app);
                }
                return;
            }
            log.warn("replica {} of app '{}' {}", replica.id, app.ref, exit);
            if (app.plan == null) {
                app.replicas.remove(replica);
                replica.enter(InstanceState.CRASHED, clock.instant(), exit);
                emit(
                        replica,
                        ClusterEvent.Type.CRASHED,
                        "replica " + replica.id + " " + exit + "; it is started again when app '" + app.ref
                                + "' is next deployed");
                replica.gone.complete(null);
                updateRoutes(app);
                persist(app);
                return;
            }
            if (!replica.fingerprint.equals(app.fingerprint)) {
                app.replicas.remove(replica);
                replica.enter(InstanceState.CRASHED, clock.instant(), exit);
                emit(
                        replica,
                        ClusterEvent.Type.CRASHED,
                        "replica " + replica.id + " " + exit
                                + "; not restarted, as replicas of the app's new spec replace it");
                replica.gone.complete(null);
                updateRoutes(app);
                persist(app);
                converge(app);
                return;
            }
            crashed(app, replica, exit);
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
        updateRoutes(app);
        persist(app);
        emit(replica, ClusterEvent.Type.CRASHED, "replica " + replica.id + " " + replica.message);
        try {
            replica.timer = supervisor.schedule(() -> restart(replica), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: nothing is restarted any more.
        }
    }

    private void restart(Replica replica) {
        synchronized (lock) {
            LocalApp app = apps.get(replica.app);
            if (lifecycle != Lifecycle.STARTED
                    || app == null
                    || !app.replicas.contains(replica)
                    || replica.state != InstanceState.CRASHED
                    || replica.handle != null) {
                return;
            }
            replica.timer = null;
            if (app.plan == null || !replica.fingerprint.equals(app.fingerprint)) {
                app.replicas.remove(replica);
                replica.gone.complete(null);
                persist(app);
                converge(app);
                return;
            }
            replica.restarts++;
            if (launch(app, replica)) {
                emit(
                        replica,
                        ClusterEvent.Type.RESTARTED,
                        "replica " + replica.id + " restarted as pid " + replica.handle.pid() + " on port "
                                + replica.port + " (restart " + replica.restarts + ")");
            }
        }
    }

    /**
     * Stops a replica: out of the gateway's route at once, SIGTERM once the requests it has in flight have ended (see
     * {@link Drain}), SIGKILL after the grace period; one without a process is forgotten at once.
     */
    private void stop(Replica replica) {
        stop(replica, true);
    }

    /** @param draining whether to wait for the gateway's requests to the replica to end before signalling it */
    private void stop(Replica replica, boolean draining) {
        replica.cancelTimers();
        LocalApp app = apps.get(replica.app);
        boolean attached = app != null && app.replicas.contains(replica);
        if (replica.handle == null) {
            forget(attached ? app : null, replica, "replica " + replica.id + " removed");
            return;
        }
        if (replica.state == InstanceState.STOPPING) {
            return;
        }
        ProcessHandle handle = replica.handle;
        replica.enter(InstanceState.STOPPING, clock.instant(), "stopping");
        if (attached) {
            updateRoutes(app);
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
                synchronized (lock) {
                    if (replica.handle == handle && replica.state == InstanceState.STOPPING) {
                        terminate(replica, handle);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            terminate(replica, handle);
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
            replica.timer = supervisor.schedule(
                    () -> kill(replica, handle), config.stopGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            killTree(handle);
        }
    }

    private void kill(Replica replica, ProcessHandle handle) {
        synchronized (lock) {
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
     * Drops a replica that has no process any more, with its folder and log when it was stopped for good, and its
     * app's folder when the app was removed without its data and this was its last replica.
     */
    private void forget(LocalApp app, Replica replica, String message) {
        replica.enter(InstanceState.STOPPING, clock.instant(), message);
        detached.remove(replica);
        if (app != null) {
            app.replicas.remove(replica);
            updateRoutes(app);
            persist(app);
        }
        emit(replica, ClusterEvent.Type.STOPPED, message);
        if (replica.deleteDataOnStop && lifecycle == Lifecycle.STARTED) {
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

    /** Deletes the folder of an app removed without its data, once none of its replicas is still stopping. */
    private void purgeIfStopped(AppRef ref) {
        if (!purge.contains(ref)
                || apps.containsKey(ref)
                || detached.stream().anyMatch(replica -> replica.app.equals(ref))) {
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
            supervisor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    // ---- health ----

    private void scheduleProbe(Replica replica, ProcessHandle handle, Duration delay) {
        try {
            replica.probe = supervisor.schedule(() -> probe(replica, handle), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: nothing is probed any more.
        }
    }

    /** Asks the replica's health path; runs on the supervisor, and the answer comes back asynchronously. */
    private void probe(Replica replica, ProcessHandle handle) {
        URI uri;
        boolean explicit;
        Duration timeout;
        synchronized (lock) {
            LocalApp app = apps.get(replica.app);
            if (lifecycle != Lifecycle.STARTED || replica.handle != handle || app == null) {
                return;
            }
            explicit = app.healthPath != null;
            String path = healthPathOf(app);
            // A ready replica may be busy serving; give it longer before counting a miss.
            timeout = replica.state == InstanceState.READY ? Duration.ofSeconds(2) : Duration.ofSeconds(1);
            try {
                uri = URI.create(replicaUri(replica.port) + (path.startsWith("/") ? path : "/" + path));
            } catch (IllegalArgumentException e) {
                replica.message = "its health path '" + path + "' is not a URL path; fix 'health.path' in the spec";
                scheduleProbe(replica, handle, config.livenessInterval());
                return;
            }
        }
        health.ask(uri, explicit, timeout).thenAccept(answer -> probed(replica, handle, answer));
    }

    private void probed(Replica replica, ProcessHandle handle, HealthCheck.Answer answer) {
        synchronized (lock) {
            LocalApp app = apps.get(replica.app);
            if (lifecycle != Lifecycle.STARTED
                    || replica.handle != handle
                    || app == null
                    || replica.state == InstanceState.STOPPING) {
                return;
            }
            String check = "GET " + healthPathOf(app);
            if (answer.healthy()) {
                replica.failedProbes = 0;
                if (replica.state != InstanceState.READY) {
                    boolean again = replica.lostHealth;
                    replica.lostHealth = false;
                    replica.readySince = clock.instant();
                    replica.enter(InstanceState.READY, clock.instant(), null);
                    updateRoutes(app);
                    log.info("replica {} of app '{}' is ready on port {}", replica.id, app.ref, replica.port);
                    emit(
                            replica,
                            ClusterEvent.Type.READY,
                            "replica " + replica.id + (again ? " answers " + check + " again" : " is ready")
                                    + " on port " + replica.port + " (pid " + handle.pid() + ")");
                    converge(app);
                }
                scheduleProbe(replica, handle, config.livenessInterval());
            } else if (replica.state == InstanceState.READY) {
                replica.failedProbes++;
                if (replica.failedProbes >= LIVENESS_FAILURES) {
                    replica.readySince = null;
                    replica.lostHealth = true;
                    replica.enter(
                            InstanceState.STARTING,
                            clock.instant(),
                            "stopped answering " + check + " (" + answer.answer()
                                    + "); out of rotation until it answers");
                    updateRoutes(app);
                    log.warn("replica {} of app '{}' {}", replica.id, app.ref, replica.message);
                }
                scheduleProbe(replica, handle, config.healthInterval());
            } else {
                if (!replica.lostHealth) {
                    replica.message = "waiting for " + check + " to answer; last: " + answer.answer();
                }
                scheduleProbe(replica, handle, config.healthInterval());
            }
        }
    }

    private static String healthPathOf(LocalApp app) {
        return app.healthPath == null ? "/" : app.healthPath;
    }

    // ---- adoption ----

    /** Reads every app's state file and takes back the replicas whose processes are still the ones recorded. */
    private void adoptAll() {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> owners = Files.newDirectoryStream(data.apps(), Files::isDirectory)) {
            for (Path owner : owners) {
                try (DirectoryStream<Path> names = Files.newDirectoryStream(owner, Files::isDirectory)) {
                    for (Path name : names) {
                        Path file = name.resolve(AppStateFile.NAME);
                        if (Files.isRegularFile(file)) {
                            files.add(file);
                        }
                    }
                }
            }
        } catch (IOException e) {
            log.warn(
                    "cannot list the apps in '{}' ({}); replicas left by an earlier run are not adopted",
                    data.apps(),
                    e.toString());
            return;
        }
        for (Path file : files) {
            try {
                adopt(AppStateFile.read(file));
            } catch (IOException e) {
                log.warn(
                        "ignoring the state file '{}' ({}); the replicas it lists are not adopted",
                        file,
                        e.getMessage());
            }
        }
    }

    private void adopt(AppStateFile state) {
        AppRef ref = state.app();
        LocalApp app = new LocalApp(ref, data.app(ref));
        app.fingerprint = state.fingerprint();
        app.healthPath = state.healthPath();
        app.stateless = state.stateless();
        app.desired = state.desired();
        nextIndex.merge(ref, state.nextIndex(), Math::max);
        for (AppStateFile.Entry entry : state.replicas()) {
            Optional<ProcessHandle> handle = ProcessHandle.of(entry.pid())
                    .filter(ProcessHandle::isAlive)
                    .filter(process -> process.info()
                            .startInstant()
                            .map(started -> Duration.between(started, entry.started())
                                            .abs()
                                            .compareTo(START_TOLERANCE)
                                    <= 0)
                            .orElse(false));
            if (handle.isEmpty()) {
                log.info(
                        "replica {} of app '{}' (pid {}) is no longer running, or its pid is now another process's;"
                                + " forgetting it",
                        entry.id(),
                        ref,
                        entry.pid());
                continue;
            }
            nextIndex.merge(ref, entry.index() + 1, Math::max);
            Replica replica = new Replica(
                    ref,
                    entry.id(),
                    entry.index(),
                    app.replicaDir(entry.id()),
                    app.replicaLog(entry.id(), config.logFiles()),
                    entry.fingerprint(),
                    clock.instant(),
                    config.restartBackoffInitial());
            replica.restarts = entry.restarts();
            replica.processStarted = entry.started();
            attach(replica, handle.get(), entry.port());
            replica.message = "adopted from an earlier run (pid " + entry.pid() + "); waiting for GET "
                    + healthPathOf(app) + " to answer";
            app.replicas.add(replica);
            log.info("adopted replica {} of app '{}' (pid {}, port {})", entry.id(), ref, entry.pid(), entry.port());
            scheduleProbe(replica, handle.get(), Duration.ZERO);
        }
        app.replicas.sort(Comparator.comparingInt(replica -> replica.index));
        apps.put(ref, app);
        updateRoutes(app);
        persist(app);
    }

    // ---- bookkeeping ----

    private void updateRoutes(LocalApp app) {
        if (apps.get(app.ref) != app || lifecycle != Lifecycle.STARTED) {
            return;
        }
        routes.put(
                app.ref,
                app.route(app.replicas.stream()
                        .filter(replica -> replica.state == InstanceState.READY && replica.handle != null)
                        .map(replica -> replica.backend)
                        .toList()));
    }

    private void persist(LocalApp app) {
        if (apps.get(app.ref) != app || lifecycle == Lifecycle.ABANDONED) {
            return;
        }
        List<AppStateFile.Entry> entries = app.replicas.stream()
                .filter(replica -> replica.handle != null)
                .map(replica -> new AppStateFile.Entry(
                        replica.id,
                        replica.index,
                        replica.handle.pid(),
                        replica.processStarted,
                        replica.port,
                        replica.fingerprint,
                        replica.restarts))
                .toList();
        AppStateFile state = new AppStateFile(
                app.ref,
                app.desired,
                app.fingerprint,
                app.healthPath,
                app.stateless,
                nextIndex.getOrDefault(app.ref, 1),
                entries);
        try {
            state.write(app.stateFile());
        } catch (IOException e) {
            log.warn(
                    "cannot write the state of app '{}' to '{}' ({}); if the server dies, its replicas will not be adopted",
                    app.ref,
                    app.stateFile(),
                    e.toString());
        }
    }

    private void emit(Replica replica, ClusterEvent.Type type, String message) {
        ClusterEvent event = new ClusterEvent(replica.app, replica.id, type, message, clock.instant());
        try {
            notifier.execute(() -> {
                for (ClusterListener listener : listeners) {
                    try {
                        listener.onEvent(event);
                    } catch (RuntimeException e) {
                        log.warn("a cluster listener failed on event '{}'", message, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // Closed: nobody listens any more.
        }
    }

    @Override
    public OptionalLong logBytes(AppRef app) {
        requireNonNull(app, "app is null");
        List<ReplicaLog> logs = new ArrayList<>();
        synchronized (lock) {
            LocalApp local = apps.get(app);
            if (local == null) {
                return OptionalLong.empty();
            }
            local.replicas.forEach(replica -> logs.add(replica.log));
        }
        return OptionalLong.of(logs.stream().mapToLong(ReplicaLog::bytes).sum());
    }

    /** Empties logs that grew past the limit; runs on the supervisor and reads files without the lock. */
    private void rotateLogs() {
        List<ReplicaLog> logs = new ArrayList<>();
        synchronized (lock) {
            apps.values().forEach(app -> app.replicas.forEach(replica -> logs.add(replica.log)));
        }
        for (ReplicaLog replicaLog : logs) {
            try {
                if (replicaLog.rotateIfLarger(config.logMaxBytes())) {
                    log.debug("rotated '{}'", replicaLog.file());
                }
            } catch (IOException | RuntimeException e) {
                log.warn("cannot rotate the log '{}' ({})", replicaLog.file(), e.toString());
            }
        }
    }

    private int freePort() throws IOException {
        Set<Integer> taken = new HashSet<>();
        apps.values().forEach(app -> app.replicas.forEach(replica -> taken.add(replica.port)));
        detached.forEach(replica -> taken.add(replica.port));
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

    private void requireStarted() {
        if (lifecycle != Lifecycle.STARTED) {
            throw new PlatformException(
                    ErrorCategory.UNAVAILABLE,
                    lifecycle == Lifecycle.NEW
                            ? "the local cluster is not started yet; try again in a moment"
                            : "the local cluster is closed; the server is shutting down");
        }
    }

    private URI baseUri() {
        return URI.create("http://" + uriHost(config.gatewayHost()) + ":" + gatewayPort);
    }

    private URI dependencyUrl(AppRef ref) {
        return URI.create(baseUri() + "/" + URLEncoder.encode(ref.owner(), StandardCharsets.UTF_8) + "/"
                + URLEncoder.encode(ref.name(), StandardCharsets.UTF_8));
    }

    private URI replicaUri(int port) {
        return URI.create("http://" + uriHost(config.bindHost()) + ":" + port);
    }

    /** A host as it goes in a URL: an address that listens everywhere is reached here on the loopback address. */
    private static String uriHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            return "127.0.0.1";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
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

    private static void killTree(ProcessHandle handle) {
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
    }

    /** The replica reads nothing from us; closing its stdin now frees the pipe and lets it see end-of-file. */
    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            log.debug("closing the stdin of pid {} failed", process.pid(), e);
        }
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

    private void shutDownExecutors() {
        if (health != null) {
            health.close();
        }
        for (ExecutorService executor : new ExecutorService[] {supervisor, notifier}) {
            if (executor == null) {
                continue;
            }
            executor.shutdown();
            try {
                if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger count = new AtomicInteger();
        ClassLoader loader = LocalClusterManager.class.getClassLoader();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            thread.setContextClassLoader(loader);
            return thread;
        };
    }
}
