package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

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
import emp.spi.cluster.LogLine;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each app on a Kubernetes cluster: a Deployment (stateless) or a StatefulSet with a volume per replica
 * (stateful), a Service, with exposure Ingress an Ingress, and when it has secrets a Secret its replicas read them
 * from, in a namespace of the app's owner (see {@link AppObjects} for the objects, {@link Names} for their names).
 * Secrets' values go into the Secret only: never into the workload, a log line, an error or an event.
 *
 * <p>A façade over its parts, made together at {@link #start()}: {@link ClusterApi} (the client, and every call and
 * write through it), {@link ClusterCache} (the informers and what they hold), {@link ClusterEvents} (what changes in
 * the caches, told to the listeners), {@link Workloads} (Deployments and StatefulSets: write, scale, remove, status),
 * {@link Endpoints} (Services, Ingresses and the URL of an app) and {@link ReplicaLogs}. This class keeps the
 * lifecycle, the order of a deploy's writes, and the user's namespace.
 *
 * <p>Writes go through the {@link Applier} (server-side apply), so every one converges: deploying again, or after a
 * server died halfway through a deploy, ends in the same objects. Before it changes or deletes an object it checks that
 * the object is the app's ({@link Ownership}): one of the same name that is not is left alone. Each user's namespace
 * also gets a NetworkPolicy, and each app of two replicas or more a PodDisruptionBudget.
 *
 * <p>Every answer of the API server that is not a success becomes a {@link PlatformException} (see
 * {@link KubernetesErrors}); the API server being away never takes the host down: {@link #start()} waits at most
 * {@code sync-timeout} for a first view of the cluster and goes on trying in the background. {@link #close()} leaves
 * the apps running: they live in the cluster, not in this process.
 *
 * <p>Thread-safe: the state that changes is the informers' caches, the last look at each pod, and the lifecycle.
 * Listeners are called in order from one thread of the manager's.
 */
public final class KubernetesClusterManager implements ClusterManager {
    private static final Logger log = LoggerFactory.getLogger(KubernetesClusterManager.class);

    private enum Lifecycle {
        NEW,
        STARTED,
        CLOSED
    }

    /** The parts of a started manager, which share its client and caches. */
    private record Parts(
            ClusterApi api, ClusterEvents events, ClusterCache cache, Workloads workloads, Endpoints endpoints) {}

    private final KubernetesClusterConfig config;
    private final KubeconfigLoader loader;
    private final Clock clock;
    private final AppObjects objects;

    private final Object lock = new Object();
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    /** Namespaces this manager made sure of, so each is written once per run. */
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();

    private volatile Lifecycle lifecycle = Lifecycle.NEW;
    private volatile String server = "(not connected)";
    private volatile Parts parts;

    /**
     * Makes a manager; reads no file and calls no server until {@link #start()}.
     *
     * @param loader makes the client's configuration from the kubeconfig or the pod's ServiceAccount
     */
    KubernetesClusterManager(KubernetesClusterConfig config, KubeconfigLoader loader, Clock clock) {
        this(config, loader, clock, SecretObjects.newDigestKey());
    }

    /** @param digestKey the key of the digest of each app's secrets on its pod template (see {@link AppObjects}) */
    KubernetesClusterManager(KubernetesClusterConfig config, KubeconfigLoader loader, Clock clock, byte[] digestKey) {
        this.config = requireNonNull(config, "config is null");
        this.loader = requireNonNull(loader, "loader is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.objects = new AppObjects(config, digestKey);
    }

    /**
     * Connects, and starts watching what EMP manages in the cluster; waits up to {@code sync-timeout} for the first
     * full view, then goes on without it (operations that need it fail with UNAVAILABLE until it comes).
     *
     * @throws PlatformException of category INVALID when the kubeconfig, context or in-cluster credentials are wrong
     */
    @Override
    public void start() {
        synchronized (lock) {
            if (lifecycle == Lifecycle.STARTED) {
                return;
            }
            if (lifecycle == Lifecycle.CLOSED) {
                throw new PlatformException(
                        ErrorCategory.INTERNAL,
                        "the Kubernetes cluster manager was closed; make a new one to start again");
            }
            Config clientConfig = ClusterApi.withPluginLoader(() -> loader.load(config));
            server = clientConfig.getMasterUrl();
            // The client's threads inherit the context loader; they must see the plugin's classes, not the host's.
            parts = ClusterApi.withPluginLoader(() -> connect(clientConfig));
            lifecycle = Lifecycle.STARTED;
        }
        boolean inSync = parts.cache().awaitSync(config.syncTimeout());
        if (inSync || config.syncTimeout().isZero()) {
            log.info(
                    "Kubernetes cluster at {} ({}): {}; exposure {}",
                    server,
                    config.credentialsSource(),
                    inSync ? "watching " + apps().size() + " app(s)" : "reading its state in the background",
                    config.exposure());
        } else {
            log.warn(
                    "Kubernetes cluster at {} ({}) not in sync after {}: {}; EMP keeps trying",
                    server,
                    config.credentialsSource(),
                    config.syncTimeout(),
                    parts.cache().watchProblem());
        }
    }

    /** Makes the parts and starts the informers; undoes what it made when that fails. */
    private Parts connect(Config clientConfig) {
        ClusterApi api = null;
        ClusterEvents events = null;
        ClusterCache cache = null;
        try {
            api = ClusterApi.connect(clientConfig);
            events = new ClusterEvents(clock, listeners);
            cache = new ClusterCache(api, config.exposure(), events);
            cache.start();
            return new Parts(
                    api,
                    events,
                    cache,
                    new Workloads(api, cache, objects, clock),
                    new Endpoints(config, objects, api, cache, clock));
        } catch (RuntimeException e) {
            if (cache != null) {
                cache.stop();
            }
            if (api != null) {
                api.client().close();
            }
            if (events != null) {
                events.closeNow();
            }
            throw new PlatformException(
                    ErrorCategory.INTERNAL,
                    "the Kubernetes client for " + server + " did not start: " + KubernetesErrors.rootCause(e)
                            + "; see the server log",
                    e);
        }
    }

    @Override
    public void validate(AppSpec spec) {
        AppObjects.validate(spec);
    }

    @Override
    public void deploy(AppDeployment deployment) {
        requireNonNull(deployment, "deployment is null");
        validate(deployment.spec());
        SecretObjects.validate(deployment);
        requireStarted();
        Parts parts = this.parts;
        AppRef app = deployment.app();
        Names names = objects.names(app);
        String doing = "deploying app '" + app + "'";
        HasMetadata applied = parts.api().call(doing, () -> {
            try {
                return write(parts, deployment, names, doing);
            } catch (KubernetesClientException e) {
                if (!namespaceMissing(e, names)) {
                    throw e;
                }
                // Deleted outside EMP since this manager made it: make it (and its policy) again, then the app.
                namespaces.remove(names.namespace());
                log.warn("namespace '{}' was deleted outside EMP; making it again", names.namespace());
                return write(parts, deployment, names, doing);
            }
        });
        parts.workloads().written(names, applied);
        log.info(
                "app '{}' deployed as {} '{}/{}' with {} replica(s) ({})",
                app,
                applied.getKind(),
                names.namespace(),
                names.object(),
                deployment.replicas(),
                lastWritePath() == Applier.Path.SERVER_SIDE_APPLY ? "server-side apply" : "create or replace");
    }

    /** Writes the app's objects, each before those that need it; the Deployment or StatefulSet as written. */
    private HasMetadata write(Parts parts, AppDeployment deployment, Names names, String doing) {
        ensureNamespace(parts.api(), names, doing);
        HasMetadata current = parts.workloads().live(names);
        Ownership.require(current, names, doing);
        parts.endpoints().writeService(names, doing);
        // Before the workload, so that its new pods find every secret they reference.
        if (!deployment.secrets().isEmpty()) {
            parts.api().applyOwned(objects.secret(deployment), names, doing);
        }
        HasMetadata written = parts.workloads().write(deployment, names, current, doing);
        parts.endpoints().writeIngress(names, doing);
        parts.workloads().rememberReplicas(names, written, current, deployment.replicas());
        parts.workloads().keepDisruptionBudget(names, deployment.replicas(), doing);
        if (deployment.secrets().isEmpty()) {
            // After the workload, whose new template no longer references it.
            ClusterApi.deleteIfOwned(parts.api().secret(names), names);
        }
        return written;
    }

    /**
     * Makes sure the user's namespace exists and is EMP's, once per run: a namespace of that name that EMP did not
     * make for this user is not used.
     */
    private void ensureNamespace(ClusterApi api, Names names, String doing) {
        if (!namespaces.add(names.namespace())) {
            return;
        }
        try {
            api.applyOwned(objects.namespace(names), names, doing);
            if (config.networkPolicy()) {
                api.applyOwned(objects.networkPolicy(names), names, doing);
            }
        } catch (RuntimeException e) {
            namespaces.remove(names.namespace());
            throw e;
        }
    }

    /** Whether the API server answered that the app's namespace does not exist. */
    private static boolean namespaceMissing(KubernetesClientException e, Names names) {
        return e.getCode() == 404
                && e.getStatus() != null
                && e.getStatus().getDetails() != null
                && "namespaces".equals(e.getStatus().getDetails().getKind())
                && names.namespace().equals(e.getStatus().getDetails().getName());
    }

    /**
     * Sets the replica count; scaling to zero keeps the app's objects and volumes, and remembers the count the app had
     * in {@value Labels#REPLICAS_BEFORE_STOP} (see {@link Workloads}).
     */
    @Override
    public void scale(AppRef app, int replicas) {
        requireNonNull(app, "app is null");
        if (replicas < 0) {
            throw PlatformException.invalid(
                    "replicas", "replica count " + replicas + " for app '" + app + "' is negative; give 0 or more");
        }
        requireStarted();
        parts.workloads().scale(objects.names(app), replicas);
        log.info("app '{}' scaled to {} replica(s)", app, replicas);
    }

    @Override
    public void remove(AppRef app, boolean keepData) {
        requireNonNull(app, "app is null");
        requireStarted();
        parts.workloads().remove(objects.names(app), keepData, "removing app '" + app + "'");
        log.info("app '{}' removed{}", app, keepData ? ", keeping its volumes" : " with its volumes");
    }

    @Override
    public AppStatus status(AppRef app) {
        requireNonNull(app, "app is null");
        requireSynced("reading the status of app '" + app + "'");
        return parts.workloads().status(objects.names(app));
    }

    /** The apps whose Deployment or StatefulSet carries EMP's labels and names the app in its annotations. */
    @Override
    public Set<AppRef> apps() {
        requireSynced("listing the apps it runs");
        return parts.cache().apps();
    }

    @Override
    public void watch(ClusterListener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    /** Where end users call the app, once Kubernetes gave it an address (see {@link Endpoints}). */
    @Override
    public Optional<URI> endpoint(AppRef app) {
        requireNonNull(app, "app is null");
        return inSync() ? parts.endpoints().endpoint(objects.names(app)) : Optional.empty();
    }

    /** {@code http://<app>.<namespace>.svc.cluster.local:80}: its Service's name in the cluster's DNS. */
    @Override
    public Optional<URI> internalEndpoint(AppRef app) {
        requireNonNull(app, "app is null");
        if (!inSync()) {
            return Optional.empty();
        }
        Names names = objects.names(app);
        return parts.cache().workload(names) == null ? Optional.empty() : Optional.of(AppObjects.internalUrl(names));
    }

    /** {@code http://<ingress-host>} with exposure Ingress and a host; other exposures give each app its own. */
    @Override
    public Optional<URI> entryPoint() {
        return config.ingressHostName().map(host -> URI.create("http://" + host));
    }

    /** The last {@code tail} lines of each replica's container; a replica whose container has not started has none. */
    @Override
    public List<LogLine> logs(AppRef app, int tail) {
        requireNonNull(app, "app is null");
        if (tail < 0) {
            throw PlatformException.invalid("tail", "tail " + tail + " is negative; ask for 0 or more lines");
        }
        requireSynced("reading the logs of app '" + app + "'");
        return ReplicaLogs.tail(parts.api(), parts.cache(), objects.names(app), tail);
    }

    /** Healthy while every informer has its full view and is watching; never calls the API server. */
    @Override
    public Health check() {
        if (lifecycle == Lifecycle.NEW) {
            return Health.unhealthy("Kubernetes cluster manager not started");
        }
        if (lifecycle == Lifecycle.CLOSED) {
            return Health.unhealthy("Kubernetes cluster manager closed");
        }
        ClusterCache cache = parts.cache();
        if (!cache.synced() || !cache.watching()) {
            return Health.unhealthy("Kubernetes " + server + " (" + config.credentialsSource() + "): "
                    + (cache.synced() ? "watch interrupted" : "not in sync") + "; " + cache.watchProblem());
        }
        Set<AppRef> apps = apps();
        long total = 0;
        long ready = 0;
        Instant now = clock.instant();
        for (AppRef app : apps) {
            for (Pod pod : cache.pods(objects.names(app))) {
                if (!Workloads.terminal(pod)) {
                    total++;
                    ready += Replica.of(pod, app, now).state() == InstanceState.READY ? 1 : 0;
                }
            }
        }
        return Health.healthy("Kubernetes " + server + " (" + config.credentialsSource() + "): " + apps.size()
                + " app(s), " + ready + " of " + total + " replica(s) ready; exposure " + config.exposure());
    }

    /** Stops watching and disconnects; the apps keep running in the cluster. */
    @Override
    public void close() {
        synchronized (lock) {
            if (lifecycle != Lifecycle.STARTED) {
                lifecycle = Lifecycle.CLOSED;
                return;
            }
            lifecycle = Lifecycle.CLOSED;
        }
        parts.cache().stop();
        parts.api().client().close();
        parts.events().close();
        log.info("Kubernetes cluster manager closed; apps keep running at {}", server);
    }

    /** Which way the last object was written; null before the first. */
    Applier.Path lastWritePath() {
        Parts started = parts;
        return started == null ? null : started.api().applier().lastPath();
    }

    private boolean inSync() {
        return lifecycle == Lifecycle.STARTED && parts.cache().synced();
    }

    private void requireStarted() {
        if (lifecycle != Lifecycle.STARTED) {
            throw new PlatformException(
                    ErrorCategory.UNAVAILABLE,
                    lifecycle == Lifecycle.NEW
                            ? "the Kubernetes cluster manager is not started yet; try again in a moment"
                            : "the Kubernetes cluster manager is closed; the server is shutting down");
        }
    }

    private void requireSynced(String action) {
        requireStarted();
        if (!parts.cache().synced()) {
            throw new PlatformException(
                    ErrorCategory.UNAVAILABLE,
                    "EMP has not yet read what runs on the Kubernetes cluster at " + server + ", so it cannot go on "
                            + action + ": " + parts.cache().watchProblem() + "; it keeps trying");
        }
    }
}
