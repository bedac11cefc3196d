package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import emp.cluster.local.ClusterState.Lifecycle;
import emp.gateway.Backend;
import emp.gateway.Gateway;
import emp.gateway.GatewayConfig;
import emp.gateway.GatewaySpans;
import emp.gateway.Route;
import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterListener;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LogLine;
import emp.spi.tracing.SpanSink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each replica as a supervised child process on this machine, behind the embedded gateway.
 *
 * <p>A replica is started from the spec's {@code command} in its own working folder, with its own free port, and
 * writes its output straight into its log file, so it outlives a server that dies. It is ready once its health path
 * answers; a replica that exits without being asked is restarted after a back-off that doubles up to a limit. A
 * changed spec rolls the replicas: replicas of the new spec start beside the old ones, and each old one is stopped
 * once a new one is ready, so an app whose new spec never becomes ready keeps serving from the old one.
 *
 * <p>Each app's replicas (pid, process start time, port, spec fingerprint) are written to a state file, which
 * {@link #start()} reads to adopt the processes an earlier server left running; {@link #close()} stops them all.
 *
 * <p>The gateway records a span of its own for every request it routes, joining the trace the request names or starting
 * one, and tells the replica it is the parent; those spans go to the platform's {@link SpanSink} (see
 * {@link GatewaySpans}).
 *
 * <p>This class is the SPI's face and the cluster's lifecycle (threads, gateway); the work is done by its parts:
 * {@link Supervisor} starts, watches and restarts replicas, as {@link RolloutStep} says; {@link Prober} tells when they
 * are ready; {@link Stopper} stops them and deletes what they leave; {@link Adoption} takes over those an earlier
 * server left running; {@link ClusterState} holds the apps and replicas and keeps state files, gateway routes and
 * events in step with them.
 *
 * <p>Thread-safe: the state's one lock guards the apps, their replicas and the cluster's lifecycle, and every part
 * works under it; the gateway reads its routes from a concurrent map that is updated whenever a replica becomes ready
 * or leaves rotation, and listeners are called in order from one thread of the manager's.
 */
public final class LocalClusterManager implements ClusterManager {
    private static final Logger log = LoggerFactory.getLogger(LocalClusterManager.class);

    private final LocalClusterConfig config;
    private final DataFolder data;
    private final Clock clock;
    private final GatewaySpans gatewaySpans;
    private final ClusterState state;
    private final Object lock;
    private final ReplicaLogs logs;
    /** What walls replicas in on this machine; chosen at start. */
    private volatile Confinement confinement;

    // Made by start(); read with the lock held.
    private ScheduledThreadPoolExecutor executor;
    private ExecutorService notifier;
    private HealthCheck health;
    private Gateway gateway;
    private URI gatewayUri;
    private Stopper stopper;
    private Supervisor supervisor;

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
        this.state = new ClusterState(clock);
        this.lock = state.lock;
        this.logs = new ReplicaLogs(state, config.logMaxBytes());
        this.gatewaySpans = new GatewaySpans(requireNonNull(spans, "spans is null"), GatewaySpans.DEFAULT_CAPACITY);
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (state.lifecycle == Lifecycle.STARTED) {
                return;
            }
            if (state.lifecycle != Lifecycle.NEW) {
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
            InetAddress bindAddress;
            try {
                bindAddress = InetAddress.getByName(config.bindHost());
            } catch (UnknownHostException e) {
                throw PlatformException.invalid(
                        LocalClusterConfig.SECTION + "." + LocalClusterConfig.BIND_HOST,
                        "configuration key '" + LocalClusterConfig.SECTION + "." + LocalClusterConfig.BIND_HOST
                                + "' is '" + config.bindHost()
                                + "', which does not resolve; give an address such as 127.0.0.1");
            }
            executor = new ScheduledThreadPoolExecutor(2, threads("cluster-local-supervisor"));
            // Probes and timers pending at close have nothing left to do; do not wait for them.
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            executor.setRemoveOnCancelPolicy(true);
            notifier = Executors.newSingleThreadExecutor(threads("cluster-local-events"));
            state.notifyOn(notifier);
            health = new HealthCheck(threads("cluster-local-health"));
            gatewaySpans.start(threads("cluster-local-spans"));
            try {
                gateway = new Gateway(
                        GatewayConfig.defaults(config.gatewayHost(), config.gatewayPort()), state.routes, gatewaySpans);
                gateway.start();
                state.routes.attach(gateway);
                gatewayUri = gateway.baseUri();
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
            state.lifecycle = Lifecycle.STARTED;
            executor.execute(() -> DataFolder.deleteTree(data.trash()));
            confinement = Confinement.open(config, data.root());
            stopper = new Stopper(config, data, clock, state, executor, new Drain(gateway, executor));
            supervisor = new Supervisor(
                    config, data, clock, state, confinement, executor, stopper, health, bindAddress, gateway.port());
            Adoption.adoptAll(state, data, supervisor, confinement);
            long rotation = ReplicaLogs.ROTATION_PERIOD.toMillis();
            executor.scheduleWithFixedDelay(logs::rotate, rotation, rotation, TimeUnit.MILLISECONDS);
            log.info(
                    "local cluster started: data in '{}', gateway on {}, {} app(s) adopted",
                    data.root(),
                    gatewayUri,
                    state.apps.size());
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
            state.requireStarted();
            LocalApp app = state.apps.computeIfAbsent(ref, absent -> new LocalApp(ref, data.app(ref)));
            LaunchPlan plan = LaunchPlan.of(deployment, dependency -> appUrl(new AppRef(ref.owner(), dependency)));
            String fingerprint = plan.fingerprint();
            if (!fingerprint.equals(app.fingerprint)) {
                log.info("deploying app '{}' with spec {} and {} replica(s)", ref, fingerprint, deployment.replicas());
            } else if (app.desired != deployment.replicas()) {
                log.info("scaling app '{}' from {} to {} replica(s)", ref, app.desired, deployment.replicas());
            }
            app.deploy(deployment, plan);
            stopper.keepFolder(ref);
            converge(app);
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
            state.requireStarted();
            LocalApp app = state.apps.get(ref);
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
        }
    }

    /** After a deploy or scale: the replicas it asks for, then the app's route and state file. */
    private void converge(LocalApp app) {
        supervisor.converge(app);
        state.route(app);
        state.persist(app);
    }

    @Override
    public void remove(AppRef ref, boolean keepData) {
        requireNonNull(ref, "app is null");
        synchronized (lock) {
            state.requireStarted();
            LocalApp app = state.remove(ref);
            if (app != null) {
                log.info("removing app '{}'{}", ref, keepData ? ", keeping its folder" : "");
                stopper.detach(app, keepData);
            }
            if (!keepData) {
                stopper.purgeOnceStopped(ref);
            }
        }
    }

    @Override
    public AppStatus status(AppRef ref) {
        requireNonNull(ref, "app is null");
        synchronized (lock) {
            LocalApp app = state.apps.get(ref);
            if (app == null) {
                return AppStatus.absent(ref);
            }
            return app.status(config);
        }
    }

    @Override
    public Set<AppRef> apps() {
        synchronized (lock) {
            return Set.copyOf(state.apps.keySet());
        }
    }

    @Override
    public void watch(ClusterListener listener) {
        state.watch(requireNonNull(listener, "listener is null"));
    }

    /** {@code http://gateway-host:port/{owner}/{name}/}, once the manager is started and the app deployed. */
    @Override
    public Optional<URI> endpoint(AppRef ref) {
        return internalEndpoint(ref).map(url -> URI.create(url + "/"));
    }

    /** {@code http://gateway-host:port/{owner}/{name}}: what {@code <NAME>_URL} is set to in the apps that call it. */
    @Override
    public Optional<URI> internalEndpoint(AppRef ref) {
        requireNonNull(ref, "app is null");
        synchronized (lock) {
            if (gateway == null || !(state.apps.containsKey(ref) || state.routes.runsElsewhere(ref))) {
                return Optional.empty();
            }
            return Optional.of(appUrl(ref));
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
            if (gateway == null || !state.apps.containsKey(ref)) {
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
            return gateway == null ? Optional.empty() : Optional.of(gatewayUri);
        }
    }

    @Override
    public List<LogLine> logs(AppRef ref, int tail) {
        requireNonNull(ref, "app is null");
        if (tail < 0) {
            throw PlatformException.invalid("tail", "tail " + tail + " is negative; ask for 0 or more lines");
        }
        return logs.tail(ref, tail)
                .orElseThrow(() -> PlatformException.notFound("app '" + ref
                        + "' is not deployed on the local cluster, so it has no logs; check the app's name"));
    }

    @Override
    public OptionalLong logBytes(AppRef app) {
        return logs.bytes(requireNonNull(app, "app is null"));
    }

    @Override
    public Health check() {
        synchronized (lock) {
            return switch (state.lifecycle) {
                case NEW -> Health.unhealthy("local cluster not started");
                case STARTED -> {
                    List<Replica> replicas = state.apps.values().stream()
                            .flatMap(app -> app.replicas.stream())
                            .toList();
                    long ready = replicas.stream()
                            .filter(replica -> replica.state == InstanceState.READY)
                            .count();
                    yield Health.healthy(
                            "local processes: " + state.apps.size() + " app(s), " + ready + " of " + replicas.size()
                                    + " replica(s) ready; gateway " + gatewayUri + "; data in " + data.root());
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
        CompletableFuture<Void> stopping;
        synchronized (lock) {
            if (state.lifecycle != Lifecycle.STARTED) {
                if (state.lifecycle == Lifecycle.NEW) {
                    state.lifecycle = Lifecycle.CLOSED;
                }
                return;
            }
            state.lifecycle = Lifecycle.CLOSING;
            state.routes.clear();
            stopping = stopper.stopAll();
        }
        stopper.awaitStopped(stopping);
        synchronized (lock) {
            state.lifecycle = Lifecycle.CLOSED;
            state.apps.values().forEach(state::persist);
        }
        letGo();
        log.info("local cluster closed");
    }

    /**
     * Lets go of everything without stopping the replicas, as a server that is killed would: the processes keep
     * running and a new manager on the same data folder adopts them. Only for tests of adoption.
     */
    void abandon() {
        synchronized (lock) {
            if (state.lifecycle != Lifecycle.STARTED) {
                return;
            }
            state.lifecycle = Lifecycle.ABANDONED;
            state.replicas().forEach(Replica::cancelTimers);
        }
        letGo();
    }

    /** Closes the gateway and the threads; the replicas are stopped, or left running for another server, by now. */
    private void letGo() {
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
        state.routes.elsewhereInstances(instances);
    }

    /** The ready replicas the gateway is told of for the app now. */
    Optional<List<Backend>> routes(AppRef app) {
        return state.routes.route(app).map(Route::backends);
    }

    /** {@code http://gateway-host:port/{owner}/{name}}: where the gateway takes the app's requests. */
    private URI appUrl(AppRef ref) {
        return URI.create(gatewayUri + "/" + URLEncoder.encode(ref.owner(), StandardCharsets.UTF_8) + "/"
                + URLEncoder.encode(ref.name(), StandardCharsets.UTF_8));
    }

    private void shutDownExecutors() {
        if (health != null) {
            health.close();
        }
        for (ExecutorService each : new ExecutorService[] {executor, notifier}) {
            if (each == null) {
                continue;
            }
            each.shutdown();
            try {
                if (!each.awaitTermination(2, TimeUnit.SECONDS)) {
                    each.shutdownNow();
                }
            } catch (InterruptedException e) {
                each.shutdownNow();
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
