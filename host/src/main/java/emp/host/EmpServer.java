package emp.host;

import emp.host.api.ApiServer;
import emp.host.api.ApiServices;
import emp.host.apps.AppRecord;
import emp.host.apps.AppRepository;
import emp.host.apps.AppService;
import emp.host.apps.EventLog;
import emp.host.apps.ObservedStatuses;
import emp.host.apps.Quota;
import emp.host.apps.SecretBox;
import emp.host.auth.AccountService;
import emp.host.auth.AuditLog;
import emp.host.auth.SignupPolicy;
import emp.host.config.HostKey;
import emp.host.config.ServerConfig;
import emp.host.dashboard.AppHistory;
import emp.host.dashboard.DashboardViews;
import emp.host.dashboard.LiveStreams;
import emp.host.lead.LeaderElection;
import emp.host.metrics.AppMetrics;
import emp.host.metrics.PlatformMetrics;
import emp.host.metrics.TimedStore;
import emp.host.plugin.ExtensionPointKind;
import emp.host.plugin.LoadedExtension;
import emp.host.plugin.PluginAdmin;
import emp.host.plugin.PluginHost;
import emp.host.plugin.StoredPluginState;
import emp.host.reconcile.ReconcileTrigger;
import emp.host.reconcile.Reconciler;
import emp.host.scale.ScalingLoop;
import emp.host.scale.SchedulerSwap;
import emp.host.store.CachedStore;
import emp.host.tracing.ActiveTraceSource;
import emp.host.tracing.CredentialedSink;
import emp.host.tracing.KnownApps;
import emp.host.tracing.SpanCredentials;
import emp.host.tracing.SpanGate;
import emp.host.tracing.SpanWindows;
import emp.host.tracing.TraceAggregator;
import emp.host.tracing.TracingService;
import emp.host.tracing.ZipkinProcess;
import emp.spi.AppRef;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.PluginContext;
import emp.spi.PluginState;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.ClusterManagerFactory;
import emp.spi.scheduler.Scheduler;
import emp.spi.scheduler.SchedulerFactory;
import emp.spi.store.StateStore;
import emp.spi.store.StateStoreFactory;
import emp.spi.tracing.SpanSink;
import emp.spi.tracing.TraceSource;
import emp.spi.tracing.TraceSourceFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * emp-server: loads the plugins, chooses one per extension point from the configuration, and runs the control API
 * and the reconciler on top of them. {@link #close()} stops everything in reverse order.
 */
public final class EmpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmpServer.class);
    /**
     * How many sessions' tokens each server holds in memory, about 300 bytes each: the tokens of the sessions in use,
     * checked on every request without a read of the store.
     */
    private static final int TOKENS_HELD = 100_000;

    public static final String VERSION = Optional.ofNullable(
                    EmpServer.class.getPackage().getImplementationVersion())
            .orElse("dev");

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final URI apiUri;
    private final Optional<URI> gatewayUri;
    /** The scaling loop, once started: the {@code scaling} check of {@code /healthz} reads its tick times. */
    private volatile ScalingLoop scalingLoop;

    private EmpServer(ServerConfig startConfig, Path defaultHome, Clock clock) {
        try {
            ServerConfig config = startConfig;
            Path dataDir = config.raw(HostKey.DATA_DIR)
                    .map(Path::of)
                    .orElse(defaultHome.resolve("data"))
                    .toAbsolutePath();
            Path pluginsDir = config.raw(HostKey.PLUGINS_DIR)
                    .map(Path::of)
                    .or(EmpServer::distributionPlugins)
                    .orElseThrow(
                            () -> PlatformException.invalid(
                                    "plugins.dir",
                                    "no plugin folder: run the server from the distribution (bin/emp server) or set plugins.dir"));
            String apiHost = config.string(HostKey.API_HOST);
            int apiPort = config.integer(HostKey.API_PORT, 0, 65535);
            apiPort = apiPort == 0 ? ServerPorts.free(apiHost) : apiPort;
            this.apiUri = URI.create("http://" + (apiHost.equals("0.0.0.0") ? "127.0.0.1" : apiHost) + ":" + apiPort);

            SpanWindows windows = new SpanWindows(
                    config.duration(HostKey.TRACING_WINDOW),
                    config.duration(HostKey.TRACING_BUCKET),
                    config.duration(HostKey.TRACING_SETTLE).plusSeconds(2));
            // No app is known until the app service exists, below: spans before then are for nobody.
            KnownApps knownApps = new KnownApps(clock);
            PlatformMetrics metrics = new PlatformMetrics();
            resources.push(metrics);
            TraceAggregator aggregator = new TraceAggregator(
                    windows,
                    knownApps,
                    clock,
                    config.duration(HostKey.TRACING_SETTLE),
                    maxPendingSpans(config.integer(HostKey.TRACING_MAX_PENDING_SPANS, 0, 100_000_000)),
                    analysisThreads(config.integer(HostKey.TRACING_ANALYSIS_THREADS, 0, 256)));
            resources.push(aggregator);
            aggregator.start();

            PluginHost plugins = new PluginHost(pluginsDir);
            resources.push(plugins);
            plugins.load();
            Map<ExtensionPointKind, String> active = new EnumMap<>(ExtensionPointKind.class);
            for (ExtensionPointKind kind : ExtensionPointKind.values()) {
                active.put(kind, config.string(kind.choice()));
            }

            LoadedExtension storeExtension =
                    plugins.select(ExtensionPointKind.STORE, active.get(ExtensionPointKind.STORE));
            StateStore backend = storeExtension.create(
                    StateStore.class,
                    factory -> ((StateStoreFactory) factory)
                            .create(context(storeExtension, startConfig, dataDir, apiUri, clock, aggregator, null)));
            resources.push(backend);
            backend.start();
            CachedStore store = CachedStore.over(
                    new TimedStore(backend, metrics.registry()),
                    union(AppRepository.HELD_IN_MEMORY, AccountService.HELD_IN_MEMORY),
                    AccountService.READ_LATELY_HELD,
                    TOKENS_HELD);
            resources.push(store);

            LoadedExtension clusterExtension =
                    plugins.select(ExtensionPointKind.CLUSTER, active.get(ExtensionPointKind.CLUSTER));
            ClusterManager cluster = clusterExtension.create(
                    ClusterManager.class,
                    factory -> ((ClusterManagerFactory) factory)
                            .create(context(clusterExtension, startConfig, dataDir, apiUri, clock, aggregator, store)));
            resources.push(cluster);

            String tracing = active.get(ExtensionPointKind.TRACING);
            if (config.bool(HostKey.ZIPKIN)) {
                ZipkinProcess zipkin = ZipkinProcess.forServer(config, tracing, dataDir);
                resources.push(zipkin);
                config = config.withDefault(HostKey.TRACING_UI_URL.key(), zipkin.baseUri() + "/zipkin")
                        .withDefault("tracing.http.forward-url", zipkin.baseUri() + "/api/v2/spans");
            }
            ServerConfig pluginConfig = config;
            SpanCredentials spanCredentials = SpanCredentials.load(store);
            Map<String, Supplier<Health>> checks = new LinkedHashMap<>();
            Map<ExtensionPointKind, String> configured = Map.of(
                    ExtensionPointKind.TRACING,
                    tracing,
                    ExtensionPointKind.SCHEDULER,
                    active.get(ExtensionPointKind.SCHEDULER));
            ActiveTraceSource traceSource = new ActiveTraceSource(
                    new CredentialedSink(aggregator, spanCredentials),
                    spanCredentials,
                    plugins,
                    extension -> extension.create(
                            TraceSource.class,
                            factory -> ((TraceSourceFactory) factory)
                                    .create(context(
                                            extension, pluginConfig, dataDir, apiUri, clock, aggregator, store))));
            resources.push(traceSource);
            traceSource.use(chosen(plugins, store, ExtensionPointKind.TRACING, tracing));
            active.put(ExtensionPointKind.TRACING, traceSource.name());
            SpanGate spanGate = new SpanGate(spanCredentials, traceSource);
            checks.put("tracing", traceSource::check);
            checks.put("span-ingest", spanGate::health);
            String scheduler =
                    chosen(plugins, store, ExtensionPointKind.SCHEDULER, configured.get(ExtensionPointKind.SCHEDULER));
            active.put(ExtensionPointKind.SCHEDULER, scheduler);
            LoadedExtension schedulerExtension =
                    scheduler.equals("none") ? null : plugins.select(ExtensionPointKind.SCHEDULER, scheduler);

            cluster.start();
            EventLog events = new EventLog(store, clock, config.integer(HostKey.EVENTS_KEPT, 10, 100_000));
            Function<AppRef, Map<String, String>> platformEnvironment = traceSource::replicaEnvironment;
            // The election and the app service wake the reconciler, which is built on them: connected once it is.
            ReconcileTrigger reconcile = new ReconcileTrigger();
            String serverId = config.raw(HostKey.SERVER_ID)
                    .filter(id -> !id.isBlank())
                    .orElse(ServerPorts.hostName() + ":" + apiPort);
            LeaderElection election = new LeaderElection(
                    store,
                    serverId,
                    apiUri.toString(),
                    config.duration(HostKey.LEASE_TTL),
                    clock,
                    System::nanoTime,
                    reconcile);
            resources.push(election);
            ObservedStatuses observed = new ObservedStatuses(store, serverId);
            Quota quota = new Quota(
                    config.integer(HostKey.QUOTA_APPS, 1, 1_000_000),
                    config.integer(HostKey.QUOTA_REPLICAS, 1, 1_000_000));
            SecretBox secretBox = SecretBox.load(
                    config.raw(HostKey.SECRETS_KEY).filter(key -> !key.isBlank()),
                    config.raw(HostKey.SECRETS_KEY_FILE)
                            .filter(file -> !file.isBlank())
                            .map(Path::of),
                    dataDir);
            secretBox.requireSameKeyAs(store);
            log.info("apps' secrets are sealed with key {} from {}", secretBox.keyId(), secretBox.origin());
            AppService apps = new AppService(store, cluster, events, clock, reconcile, observed, quota, secretBox);
            knownApps.readFrom(
                    () -> apps.allRecords().stream().map(AppRecord::ref).collect(Collectors.toSet()));
            Reconciler reconciler = new Reconciler(
                    apps,
                    cluster,
                    events,
                    app -> replicaEnvironment(app, platformEnvironment),
                    config.duration(HostKey.RECONCILE_INTERVAL),
                    election,
                    observed,
                    clock,
                    config.duration(HostKey.RELEASE_TIMEOUT));
            resources.push(reconciler);
            reconcile.connect(reconciler);
            traceSource.afterSwap(reconciler::wakeUpForEveryApp);
            AuditLog audit = new AuditLog(store, clock, config.integer(HostKey.AUDIT_KEPT, 100, 1_000_000));
            AccountService accounts = new AccountService(
                    store,
                    clock,
                    config.duration(HostKey.TOKEN_TTL),
                    config.integer(HostKey.BCRYPT_COST, 4, 31),
                    SignupPolicy.parse(HostKey.SIGNUP.key(), config.string(HostKey.SIGNUP)),
                    audit);
            accounts.setupToken()
                    .ifPresent(token -> log.info(
                            "This platform has no operator yet. Its first account becomes the operator: make it on"
                                    + " this machine ('emp create-account'), or from another with 'emp create-account"
                                    + " --setup-token {}'",
                            token));

            checks.put("aggregation", () -> Health.healthy("trace windows: " + aggregator.counters()));
            checks.put("store", store::check);
            checks.put("cluster", cluster::check);
            checks.put("leader", () -> Health.healthy(election.describe()));
            checks.put("reconcile", reconciler::health);
            checks.put("scaling", () -> {
                ScalingLoop loop = scalingLoop;
                return loop == null ? Health.healthy("starting") : loop.health();
            });
            Function<LoadedExtension, Scheduler> schedulers = extension -> extension.create(
                    Scheduler.class,
                    factory -> ((SchedulerFactory) factory)
                            .create(context(extension, pluginConfig, dataDir, apiUri, clock, aggregator, store)));
            PluginAdmin pluginAdmin = new PluginAdmin(plugins, store, audit, active, configured);
            resources.push(pluginAdmin);
            AppMetrics appMetrics = AppMetrics.of(apps, aggregator, cluster);
            resources.push(appMetrics);
            metrics.watch(election, apps, reconciler, aggregator);
            metrics.watchGateway(apps, cluster);
            TracingService tracingService =
                    new TracingService(apps, aggregator, config.raw(HostKey.TRACING_UI_URL), platformEnvironment);
            AppHistory history = new AppHistory(apps, aggregator, clock);
            resources.push(history);
            LiveStreams streams = new LiveStreams(new DashboardViews(apps, aggregator, history, clock), accounts);
            resources.push(streams);
            metrics.watch(streams);
            ApiServer api = new ApiServer(
                    URI.create("http://" + apiHost + ":" + apiPort + "/"),
                    new ApiServices(
                            accounts,
                            apps,
                            tracingService,
                            pluginAdmin,
                            checks,
                            spanGate,
                            metrics,
                            appMetrics,
                            streams,
                            VERSION));
            resources.push(api);
            api.start();
            history.start();
            streams.start();
            election.start();
            reconciler.start();
            // Without a scheduler the loop still runs the platform's own scale-to-zero rule.
            Scheduler decider =
                    schedulerExtension == null ? SchedulerSwap.none() : schedulers.apply(schedulerExtension);
            ScalingLoop loop = new ScalingLoop(
                    decider,
                    scheduler,
                    apps,
                    cluster,
                    aggregator,
                    events,
                    clock,
                    new ScalingLoop.Settings(
                            config.duration(HostKey.SCHEDULER_INTERVAL),
                            config.duration(HostKey.SCHEDULER_COOLDOWN_UP),
                            config.duration(HostKey.SCHEDULER_COOLDOWN_DOWN),
                            config.duration(HostKey.SCHEDULER_DECIDE_TIMEOUT),
                            config.bool(HostKey.SCHEDULER_DRY_RUN)),
                    election);
            resources.push(loop);
            loop.start();
            pluginAdmin.attach(Map.of(
                    ExtensionPointKind.SCHEDULER,
                    new SchedulerSwap(loop::use, plugins, schedulers, decider),
                    ExtensionPointKind.TRACING,
                    traceSource));
            scalingLoop = loop;
            metrics.watch(loop);
            this.gatewayUri = cluster.entryPoint();
            log.info(
                    "EMP {} serving: API {}, dashboard {}/ui/{}; data in {}",
                    VERSION,
                    apiUri,
                    apiUri,
                    gatewayUri.map(uri -> ", gateway " + uri).orElse(""),
                    dataDir);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Starts the platform.
     *
     * @param defaultHome the folder holding {@code data/} when {@code data-dir} is not set ({@code $EMP_HOME})
     * @throws PlatformException with a message that names what to change, when the configuration or a plugin is wrong
     */
    public static EmpServer start(ServerConfig config, Path defaultHome, Clock clock) {
        return new EmpServer(config, defaultHome, clock);
    }

    public URI apiUri() {
        return apiUri;
    }

    public Optional<URI> gatewayUri() {
        return gatewayUri;
    }

    /**
     * The spans of traces still gathering that the server may hold: as set, or (0) what a quarter of the heap holds at
     * 200 bytes a waiting span (76 measured in the columns, plus each trace's share of its entry; bench/RESULTS.md,
     * "Span ingestion"), from 100,000 to 4,000,000. A bound below what arrives in a settle time has traces read before
     * they are whole.
     */
    static int maxPendingSpans(int configured) {
        if (configured > 0) {
            return configured;
        }
        long share = Runtime.getRuntime().maxMemory() / 4 / 200;
        return (int) Math.max(100_000, Math.min(4_000_000, share));
    }

    /**
     * What {@code kind} starts with: what an operator chose with {@code emp plugins use} while the configuration said
     * the same as now, when its plugin is still installed; else what the configuration says.
     */
    private static String chosen(PluginHost plugins, StateStore store, ExtensionPointKind kind, String configured) {
        String chosen = PluginAdmin.starting(store, kind, configured);
        if (!chosen.equals("none") && !plugins.provides(kind, chosen)) {
            log.warn(
                    "{} '{}', chosen with 'emp plugins use', is not installed any more; {} '{}' instead",
                    kind.point(),
                    chosen,
                    kind.choice().key(),
                    configured);
            return configured;
        }
        return chosen;
    }

    private static Set<String> union(Set<String> one, Set<String> other) {
        Set<String> both = new java.util.HashSet<>(one);
        both.addAll(other);
        return both;
    }

    /** {@code tracing.analysis-threads}: 0 is one per core. */
    private static int analysisThreads(int configured) {
        return configured == 0 ? Runtime.getRuntime().availableProcessors() : configured;
    }

    /** The context of a plugin whose state the store keeps; the store's own keeps its state in memory. */
    private static PluginContext context(
            LoadedExtension extension,
            ServerConfig config,
            Path dataDir,
            URI apiUri,
            Clock clock,
            SpanSink spans,
            StateStore store) {
        return new PluginContext(
                extension.pluginId(),
                config.pluginSection(extension.kind().point(), extension.name()),
                dataDir.resolve(extension.pluginId()),
                apiUri,
                clock,
                spans,
                store == null ? PluginState.inMemory() : new StoredPluginState(store, extension.pluginId()));
    }

    private static Map<String, String> replicaEnvironment(AppRef app, Function<AppRef, Map<String, String>> platform) {
        Map<String, String> environment = new HashMap<>(platform.apply(app));
        environment.put("EMP_SERVICE_NAME", app.toString());
        return environment;
    }

    /** {@code <distribution>/plugins}, when the launcher told us where the distribution is. */
    private static Optional<Path> distributionPlugins() {
        return Optional.ofNullable(System.getProperty("emp.home")).map(home -> Path.of(home, "plugins"));
    }

    @Override
    public void close() {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
