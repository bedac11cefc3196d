package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

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
import emp.spi.cluster.LogLine;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each app on a Kubernetes cluster: a Deployment (stateless) or a StatefulSet with a volume per replica
 * (stateful), a Service, with exposure Ingress an Ingress, and when it has secrets a Secret its replicas read them
 * from, in a namespace of the app's owner (see {@link AppObjects} for the objects, {@link Names} for their names).
 * Secrets' values go into the Secret only: never into the workload, a log line, an error or an event.
 *
 * <p>Writes go through the {@link Applier} (server-side apply), so every one converges: deploying again, or after a
 * server died halfway through a deploy, ends in the same objects. Scaling patches the replica count; scaling to zero
 * keeps the app's objects and volumes and remembers the count it had in the annotation
 * {@value Labels#REPLICAS_BEFORE_STOP}, which {@link #start(AppRef)} reads back. Before it changes or deletes an object
 * it checks that the object is the app's ({@link Ownership}): one of the same name that is not is left alone. Each
 * user's namespace also gets a NetworkPolicy, and each app of two replicas or more a PodDisruptionBudget.
 *
 * <p>What the cluster runs is read from informers (list and watch across namespaces, selecting
 * {@link Labels#MANAGED_SELECTOR}): status, endpoints and the app list cost no call to the API server, and each pod's
 * changes become {@link ClusterEvent}s: ready, restarted, and failing with the reason Kubernetes gives
 * ({@code CrashLoopBackOff}, {@code ImagePullBackOff}...). A replica is outdated when its pod's
 * {@link Labels#TEMPLATE_DIGEST} is not its workload's: a rollout replaces it. Secrets are never watched, so their
 * values are not held in this process beyond a deploy. Replicas' logs are read from the API server on demand.
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

    /** The informer index of pods by {@code namespace/app label}. */
    private static final String APP_INDEX = "emp-app";
    /** What the API server says when a write changes a StatefulSet field it keeps fixed. */
    private static final String FIXED_STATEFULSET_FIELDS = "updates to statefulset spec for fields other than";
    /** How long a node address found for NodePort URLs is used before it is looked up again. */
    private static final Duration NODE_ADDRESS_TTL = Duration.ofMinutes(1);

    private enum Lifecycle {
        NEW,
        STARTED,
        CLOSED
    }

    private final KubernetesClusterConfig config;
    private final KubeconfigLoader loader;
    private final Clock clock;
    private final AppObjects objects;

    private final Object lock = new Object();
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    /** The last look at each pod, by uid, to tell what changed. */
    private final Map<String, Replica> replicas = new ConcurrentHashMap<>();
    /**
     * The template of each app's workload as this manager last wrote it, by {@code namespace/name}: until the informer
     * has seen that write, the cache's template is the one before, and would pass the pods being replaced for current.
     */
    private final Map<String, WrittenTemplate> writtenTemplates = new ConcurrentHashMap<>();
    /** Namespaces this manager made sure of, so each is written once per run. */
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();

    private final AtomicReference<Throwable> lastWatchError = new AtomicReference<>();
    private final AtomicReference<NodeAddressLookup> nodeAddress = new AtomicReference<>();

    private volatile Lifecycle lifecycle = Lifecycle.NEW;
    private volatile String server = "(not connected)";
    private volatile KubernetesClient client;
    private volatile Applier applier;
    private volatile ExecutorService notifier;
    private final List<SharedIndexInformer<?>> informers = new CopyOnWriteArrayList<>();
    private volatile SharedIndexInformer<Deployment> deployments;
    private volatile SharedIndexInformer<StatefulSet> statefulSets;
    private volatile SharedIndexInformer<Service> services;
    private volatile SharedIndexInformer<Ingress> ingresses;
    private volatile SharedIndexInformer<Pod> pods;

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
            Config clientConfig = withPluginLoader(() -> loader.load(config));
            server = clientConfig.getMasterUrl();
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            // The client's threads inherit this loader; they must see the plugin's classes, not the host's.
            thread.setContextClassLoader(KubernetesClusterManager.class.getClassLoader());
            try {
                client = new KubernetesClientBuilder()
                        .withConfig(clientConfig)
                        .withHttpClientFactory(new JdkHttpClientFactory())
                        .build();
                applier = new Applier(client);
                notifier = Executors.newSingleThreadExecutor(runnable -> {
                    Thread events = new Thread(runnable, "cluster-kubernetes-events");
                    events.setDaemon(true);
                    return events;
                });
                SharedIndexInformer<Deployment> deploymentInformer = client.apps()
                        .deployments()
                        .inAnyNamespace()
                        .withLabel(Labels.MANAGED_BY, Labels.EMP)
                        .runnableInformer(0);
                deploymentInformer.addEventHandler(new DeploymentEvents());
                deployments = informer(deploymentInformer);
                statefulSets = informer(client.apps()
                        .statefulSets()
                        .inAnyNamespace()
                        .withLabel(Labels.MANAGED_BY, Labels.EMP)
                        .runnableInformer(0));
                services = informer(client.services()
                        .inAnyNamespace()
                        .withLabel(Labels.MANAGED_BY, Labels.EMP)
                        .runnableInformer(0));
                if (config.exposure() == Exposure.INGRESS) {
                    ingresses = informer(client.network()
                            .v1()
                            .ingresses()
                            .inAnyNamespace()
                            .withLabel(Labels.MANAGED_BY, Labels.EMP)
                            .runnableInformer(0));
                }
                SharedIndexInformer<Pod> podInformer = client.pods()
                        .inAnyNamespace()
                        .withLabel(Labels.MANAGED_BY, Labels.EMP)
                        .runnableInformer(0);
                podInformer.addIndexers(Map.of(APP_INDEX, pod -> List.of(appKey(pod))));
                podInformer.addEventHandler(new PodEvents());
                pods = informer(podInformer);
                informers.forEach(SharedIndexInformer::start);
            } catch (RuntimeException e) {
                informers.forEach(SharedIndexInformer::stop);
                informers.clear();
                if (client != null) {
                    client.close();
                }
                if (notifier != null) {
                    notifier.shutdownNow();
                }
                throw new PlatformException(
                        ErrorCategory.INTERNAL,
                        "the Kubernetes client for " + server + " did not start: " + KubernetesErrors.rootCause(e)
                                + "; see the server log",
                        e);
            } finally {
                thread.setContextClassLoader(previous);
            }
            lifecycle = Lifecycle.STARTED;
        }
        boolean inSync = awaitSync(config.syncTimeout());
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
                    watchProblem());
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
        AppRef app = deployment.app();
        Names names = objects.names(app);
        String doing = "deploying app '" + app + "'";
        HasMetadata applied = call(doing, () -> {
            try {
                return write(deployment, names, doing);
            } catch (KubernetesClientException e) {
                if (!namespaceMissing(e, names)) {
                    throw e;
                }
                // Deleted outside EMP since this manager made it: make it (and its policy) again, then the app.
                namespaces.remove(names.namespace());
                log.warn("namespace '{}' was deleted outside EMP; making it again", names.namespace());
                return write(deployment, names, doing);
            }
        });
        WrittenTemplate.of(applied).ifPresent(template -> writtenTemplates.put(key(names), template));
        log.info(
                "app '{}' deployed as {} '{}/{}' with {} replica(s) ({})",
                app,
                applied.getKind(),
                names.namespace(),
                names.object(),
                deployment.replicas(),
                applier.lastPath() == Applier.Path.SERVER_SIDE_APPLY ? "server-side apply" : "create or replace");
    }

    /** Writes the app's objects; the Deployment or StatefulSet as written. */
    private HasMetadata write(AppDeployment deployment, Names names, String doing) {
        boolean stateless = deployment.spec().effectiveStateless();
        ensureNamespace(names, doing);
        HasMetadata current = liveWorkload(names);
        Ownership.require(current, names, doing);
        applyOwned(objects.service(names), names, doing);
        // Before the workload, so that its new pods find every secret they reference.
        if (!deployment.secrets().isEmpty()) {
            applyOwned(objects.secret(deployment), names, doing);
        }
        HasMetadata written;
        if (stateless) {
            if (current instanceof StatefulSet) {
                // Its volumes stay: the data outlives the switch, and a switch back finds it again.
                statefulSet(names)
                        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                        .delete();
            }
            written = applyOwned(objects.deployment(deployment), names, doing);
        } else {
            if (current instanceof Deployment) {
                deployment(names)
                        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                        .delete();
            }
            StatefulSet desired = objects.statefulSet(deployment);
            if (current instanceof StatefulSet live) {
                desired = keepVolumes(desired, live, names);
            }
            try {
                written = applyOwned(desired, names, doing);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 422 && KubernetesErrors.detail(e).contains(FIXED_STATEFULSET_FIELDS)) {
                    throw new PlatformException(
                            ErrorCategory.INVALID,
                            "spec",
                            "Kubernetes does not change StatefulSet '" + names.namespace() + "/" + names.object()
                                    + "' of app '" + names.app() + "' in place (422: " + KubernetesErrors.detail(e)
                                    + "): only its replicas, pod template, update strategy and volume retention may"
                                    + " change once it is made; remove the app (keeping its data) and deploy it"
                                    + " again",
                            e);
                }
                throw e;
            }
        }
        if (config.exposure() == Exposure.INGRESS) {
            applyOwned(objects.ingress(names), names, doing);
        }
        rememberReplicas(names, written, current, deployment.replicas());
        keepDisruptionBudget(names, deployment.replicas(), doing);
        if (deployment.secrets().isEmpty()) {
            // After the workload, whose new template no longer references it.
            deleteIfOwned(secret(names), names);
        }
        return written;
    }

    /** Writes the app's PodDisruptionBudget at two replicas or more, and deletes it below. */
    private void keepDisruptionBudget(Names names, int replicas, String doing) {
        if (AppObjects.needsDisruptionBudget(replicas)) {
            applyOwned(objects.disruptionBudget(names), names, doing);
        } else {
            deleteOwned(disruptionBudget(names), names, doing);
        }
    }

    /** Deletes the object unless it is absent or not the app's (CONFLICT). */
    private void deleteOwned(Resource<? extends HasMetadata> resource, Names names, String doing) {
        HasMetadata live = resource.get();
        if (live != null) {
            Ownership.require(live, names, doing);
            resource.delete();
        }
    }

    /**
     * Deletes the object if it is the app's, and otherwise leaves it alone without complaint: for objects the app may
     * never have had, such as its Secret, whose name someone else may use for their own.
     */
    private static void deleteIfOwned(Resource<? extends HasMetadata> resource, Names names) {
        HasMetadata live = resource.get();
        if (live != null && Ownership.owns(live, names)) {
            resource.delete();
        }
    }

    private Resource<Secret> secret(Names names) {
        return client.secrets().inNamespace(names.namespace()).withName(names.secret());
    }

    private Resource<PodDisruptionBudget> disruptionBudget(Names names) {
        return client.policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(names.namespace())
                .withName(names.object());
    }

    /**
     * {@code desired} with the volume claim templates {@code live} was made with: Kubernetes refuses (422) any change
     * to them, so {@code storage-class} and {@code volume-size} apply to apps deployed after they are set. A change is
     * logged, once per deploy, with what to do; the deploy goes on with the volumes the app has.
     */
    private StatefulSet keepVolumes(StatefulSet desired, StatefulSet live, Names names) {
        List<PersistentVolumeClaim> made = live.getSpec().getVolumeClaimTemplates();
        if (made == null) {
            return desired;
        }
        PersistentVolumeClaim wanted =
                desired.getSpec().getVolumeClaimTemplates().get(0);
        made.stream()
                .filter(claim -> AppObjects.VOLUME.equals(claim.getMetadata().getName()))
                .findFirst()
                .ifPresent(claim -> {
                    List<String> changes = new ArrayList<>();
                    String wantedClass = wanted.getSpec().getStorageClassName();
                    if (wantedClass != null
                            && !wantedClass.equals(claim.getSpec().getStorageClassName())) {
                        changes.add("storage class " + claim.getSpec().getStorageClassName() + " (configured: "
                                + wantedClass + ")");
                    }
                    Quantity wantedSize =
                            wanted.getSpec().getResources().getRequests().get("storage");
                    Quantity madeSize = claim.getSpec().getResources() == null
                                    || claim.getSpec().getResources().getRequests() == null
                            ? null
                            : claim.getSpec().getResources().getRequests().get("storage");
                    if (madeSize != null && !madeSize.equals(wantedSize)) {
                        changes.add("size " + madeSize + " (configured: " + wantedSize + ")");
                    }
                    if (!changes.isEmpty()) {
                        log.warn(
                                "app '{}' keeps its volumes' {}: Kubernetes does not change a StatefulSet's"
                                        + " volumeClaimTemplates; to move the app to the configured volumes, remove it"
                                        + " with its data and deploy it again",
                                names.app(),
                                String.join(" and ", changes));
                    }
                });
        return new StatefulSetBuilder(desired)
                .editSpec()
                .withVolumeClaimTemplates(made)
                .endSpec()
                .build();
    }

    /** Whether the API server answered that the app's namespace does not exist. */
    private static boolean namespaceMissing(KubernetesClientException e, Names names) {
        return e.getCode() == 404
                && e.getStatus() != null
                && e.getStatus().getDetails() != null
                && "namespaces".equals(e.getStatus().getDetails().getKind())
                && names.namespace().equals(e.getStatus().getDetails().getName());
    }

    /** Sets the replica count; scaling to zero remembers the count the app had, for {@link #start(AppRef)}. */
    @Override
    public void scale(AppRef app, int replicas) {
        requireNonNull(app, "app is null");
        if (replicas < 0) {
            throw PlatformException.invalid(
                    "replicas", "replica count " + replicas + " for app '" + app + "' is negative; give 0 or more");
        }
        requireStarted();
        Names names = objects.names(app);
        call("scaling app '" + app + "' to " + replicas + " replica(s)", () -> {
            HasMetadata current = requireWorkload(names, "scaling it");
            Integer remembered = null;
            boolean forget = false;
            if (replicas == 0) {
                remembered = replicasOf(current) > 0 ? Integer.valueOf(replicasOf(current)) : rememberedOf(current);
            } else {
                forget = rememberedOf(current) != null;
            }
            patchReplicas(names, current, replicas, remembered, forget);
            keepDisruptionBudget(names, replicas, "scaling app '" + app + "'");
            return null;
        });
        log.info("app '{}' scaled to {} replica(s)", app, replicas);
    }

    /**
     * Scales the app to zero, keeping its objects and volumes, and remembers how many replicas it ran.
     *
     * @throws PlatformException of category NOT_FOUND when the app is not deployed
     */
    public void stop(AppRef app) {
        scale(app, 0);
    }

    /**
     * Brings a stopped app back to the replica count it had when it was stopped (one when none was remembered); an
     * app that runs keeps its count.
     *
     * @return the replica count the app now runs
     * @throws PlatformException of category NOT_FOUND when the app is not deployed
     */
    public int start(AppRef app) {
        requireNonNull(app, "app is null");
        requireStarted();
        Names names = objects.names(app);
        HasMetadata current = call("starting app '" + app + "'", () -> requireWorkload(names, "starting it"));
        int running = replicasOf(current);
        if (running > 0) {
            return running;
        }
        int count = Optional.ofNullable(rememberedOf(current)).orElse(1);
        scale(app, count);
        return count;
    }

    @Override
    public void remove(AppRef app, boolean keepData) {
        requireNonNull(app, "app is null");
        requireStarted();
        Names names = objects.names(app);
        String doing = "removing app '" + app + "'";
        call(doing, () -> {
            List<Resource<? extends HasMetadata>> parts = List.of(
                    deployment(names),
                    statefulSet(names),
                    client.services().inNamespace(names.namespace()).withName(names.object()),
                    client.network()
                            .v1()
                            .ingresses()
                            .inNamespace(names.namespace())
                            .withName(names.object()),
                    disruptionBudget(names));
            List<HasMetadata> foreign = new ArrayList<>();
            for (Resource<? extends HasMetadata> part : parts) {
                HasMetadata live = part.get();
                if (live == null) {
                    continue;
                }
                if (!Ownership.owns(live, names)) {
                    foreign.add(live);
                    continue;
                }
                part.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            }
            // Secrets are the app's configuration, not its data: they go whether or not the volumes stay.
            deleteIfOwned(secret(names), names);
            if (!keepData) {
                client.persistentVolumeClaims()
                        .inNamespace(names.namespace())
                        .withLabels(Labels.of(names))
                        .delete();
            }
            // EMP's own objects are gone; the first that is not EMP's says why the rest stays.
            if (!foreign.isEmpty()) {
                Ownership.require(foreign.get(0), names, doing);
            }
            return null;
        });
        writtenTemplates.remove(key(names));
        log.info("app '{}' removed{}", app, keepData ? ", keeping its volumes" : " with its volumes");
    }

    @Override
    public AppStatus status(AppRef app) {
        requireNonNull(app, "app is null");
        requireSynced("reading the status of app '" + app + "'");
        Names names = objects.names(app);
        HasMetadata workload = cachedWorkload(names);
        if (workload == null) {
            return AppStatus.absent(app);
        }
        int port = containerPort(podSpecOf(workload));
        String template = WrittenTemplate.current(workload, writtenTemplates.get(key(names)));
        Instant now = clock.instant();
        List<InstanceStatus> instances = podsOf(names).stream()
                .filter(pod -> !terminal(pod))
                .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
                .map(pod -> Replica.of(pod, app, now).instance(port, template))
                .toList();
        String problem = workload instanceof Deployment deployment
                ? WorkloadConditions.problem(deployment).orElse(null)
                : null;
        return new AppStatus(app, true, replicasOf(workload), instances, problem);
    }

    /** The apps whose Deployment or StatefulSet carries EMP's labels and names the app in its annotations. */
    @Override
    public Set<AppRef> apps() {
        requireSynced("listing the apps it runs");
        Set<AppRef> apps = new HashSet<>();
        for (SharedIndexInformer<? extends HasMetadata> informer : List.of(deployments, statefulSets)) {
            for (HasMetadata workload : informer.getStore().list()) {
                appOf(workload).ifPresent(apps::add);
            }
        }
        return Set.copyOf(apps);
    }

    @Override
    public void watch(ClusterListener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    /**
     * Where end users call the app, once Kubernetes gave it an address: the LoadBalancer's address, a node's address
     * and the node port, or the Ingress's host (or address) and {@code /{user}/{app}/}.
     */
    @Override
    public Optional<URI> endpoint(AppRef app) {
        requireNonNull(app, "app is null");
        if (lifecycle != Lifecycle.STARTED || !synced()) {
            return Optional.empty();
        }
        Names names = objects.names(app);
        if (cachedWorkload(names) == null) {
            return Optional.empty();
        }
        String key = Cache.namespaceKeyFunc(names.namespace(), names.object());
        return switch (config.exposure()) {
            case LOAD_BALANCER ->
                Optional.ofNullable(services.getStore().getByKey(key))
                        .flatMap(KubernetesClusterManager::loadBalancerAddress)
                        .map(address -> URI.create("http://" + host(address) + "/"));
            case NODE_PORT ->
                Optional.ofNullable(services.getStore().getByKey(key))
                        .flatMap(KubernetesClusterManager::nodePort)
                        .flatMap(port ->
                                nodeAddress().map(address -> URI.create("http://" + host(address) + ":" + port + "/")));
            case INGRESS ->
                config.ingressHostName()
                        .or(() -> Optional.ofNullable(ingresses.getStore().getByKey(key))
                                .flatMap(KubernetesClusterManager::ingressAddress))
                        .map(address -> URI.create("http://" + host(address) + names.ingressPath() + "/"));
        };
    }

    /** {@code http://<app>.<namespace>.svc.cluster.local:80}: its Service's name in the cluster's DNS. */
    @Override
    public Optional<URI> internalEndpoint(AppRef app) {
        requireNonNull(app, "app is null");
        if (lifecycle != Lifecycle.STARTED || !synced()) {
            return Optional.empty();
        }
        Names names = objects.names(app);
        return cachedWorkload(names) == null ? Optional.empty() : Optional.of(AppObjects.internalUrl(names));
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
        Names names = objects.names(app);
        if (cachedWorkload(names) == null) {
            throw PlatformException.notFound("app '" + app
                    + "' is not deployed on the Kubernetes cluster, so it has no logs; check the app's name");
        }
        List<LogLine> lines = new ArrayList<>();
        if (tail == 0) {
            return lines;
        }
        List<String> podNames = podsOf(names).stream()
                .map(pod -> pod.getMetadata().getName())
                .sorted()
                .toList();
        for (String pod : podNames) {
            String text;
            try {
                text = withPluginLoader(() -> client.pods()
                        .inNamespace(names.namespace())
                        .withName(pod)
                        .inContainer(AppObjects.CONTAINER)
                        .withReadyWaitTimeout(0)
                        .tailingLines(tail)
                        .getLog());
            } catch (KubernetesClientException e) {
                if (e.getCode() == 400 || e.getCode() == 404) {
                    // 400: the container has not started (ContainerCreating); 404: the pod went meanwhile.
                    log.debug("no log for replica {} of app '{}': {}", pod, app, KubernetesErrors.detail(e));
                    continue;
                }
                throw KubernetesErrors.translate(
                        e, "reading the log of replica " + pod + " of app '" + app + "'", server);
            }
            if (text == null || text.isEmpty()) {
                continue;
            }
            for (String line : text.split("\r?\n", -1)) {
                lines.add(new LogLine(pod, line));
            }
            if (lines.get(lines.size() - 1).line().isEmpty()) {
                lines.remove(lines.size() - 1);
            }
        }
        return lines;
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
        if (!synced() || informers.stream().anyMatch(informer -> !informer.isWatching())) {
            return Health.unhealthy("Kubernetes " + server + " (" + config.credentialsSource() + "): "
                    + (synced() ? "watch interrupted" : "not in sync") + "; " + watchProblem());
        }
        Set<AppRef> apps = apps();
        long total = 0;
        long ready = 0;
        Instant now = clock.instant();
        for (AppRef app : apps) {
            for (Pod pod : podsOf(objects.names(app))) {
                if (!terminal(pod)) {
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
        informers.forEach(SharedIndexInformer::stop);
        client.close();
        notifier.shutdown();
        try {
            if (!notifier.awaitTermination(2, TimeUnit.SECONDS)) {
                notifier.shutdownNow();
            }
        } catch (InterruptedException e) {
            notifier.shutdownNow();
            Thread.currentThread().interrupt();
        }
        log.info("Kubernetes cluster manager closed; apps keep running at {}", server);
    }

    /** Which way the last object was written; for tests. */
    Applier.Path lastWritePath() {
        return applier == null ? null : applier.lastPath();
    }

    // ---- reading the caches ----

    private boolean synced() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    private boolean awaitSync(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (synced() && informers.stream().allMatch(SharedIndexInformer::isWatching)) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static String key(Names names) {
        return Cache.namespaceKeyFunc(names.namespace(), names.object());
    }

    /** The Deployment or StatefulSet of the app in the informers' caches, or null. */
    private HasMetadata cachedWorkload(Names names) {
        String key = key(names);
        Deployment deployment = deployments.getStore().getByKey(key);
        if (deployment != null) {
            return deployment;
        }
        return statefulSets.getStore().getByKey(key);
    }

    /**
     * The app's workload as the API server holds it now. Writes read it there rather than in the caches, which may
     * not have seen the write just before (a stop right after a scale must remember the new count).
     */
    private HasMetadata liveWorkload(Names names) {
        Deployment deployment = deployment(names).get();
        return deployment != null ? deployment : statefulSet(names).get();
    }

    private HasMetadata requireWorkload(Names names, String doing) {
        HasMetadata workload = liveWorkload(names);
        if (workload == null) {
            throw PlatformException.notFound("app '" + names.app() + "' is not deployed on the Kubernetes cluster"
                    + " (no Deployment or StatefulSet '" + names.object() + "' in namespace '" + names.namespace()
                    + "'); deploy it before " + doing);
        }
        Ownership.require(workload, names, doing + " (app '" + names.app() + "')");
        return workload;
    }

    private List<Pod> podsOf(Names names) {
        return pods.getIndexer().byIndex(APP_INDEX, names.namespace() + "/" + names.nameLabel());
    }

    private static String appKey(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return pod.getMetadata().getNamespace() + "/" + (labels == null ? "" : labels.getOrDefault(Labels.NAME, ""));
    }

    /** A pod that will not run again: evicted, or finished; its controller has made another in its place. */
    private static boolean terminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Failed".equals(phase) || "Succeeded".equals(phase);
    }

    private static Optional<AppRef> appOf(HasMetadata object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        if (annotations == null
                || annotations.get(Labels.OWNER_ANNOTATION) == null
                || annotations.get(Labels.APP_ANNOTATION) == null) {
            return Optional.empty();
        }
        return Optional.of(
                new AppRef(annotations.get(Labels.OWNER_ANNOTATION), annotations.get(Labels.APP_ANNOTATION)));
    }

    private static int replicasOf(HasMetadata workload) {
        Integer replicas = workload instanceof Deployment deployment
                ? deployment.getSpec().getReplicas()
                : ((StatefulSet) workload).getSpec().getReplicas();
        // Kubernetes defaults an unset count to one.
        return replicas == null ? 1 : replicas;
    }

    private static Integer rememberedOf(HasMetadata workload) {
        Map<String, String> annotations = workload.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(Labels.REPLICAS_BEFORE_STOP);
        if (value == null) {
            return null;
        }
        try {
            int count = Integer.parseInt(value.trim());
            return count > 0 ? count : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The {@link Labels#TEMPLATE_DIGEST} of a workload's pod template, or null. */
    static String templateOf(HasMetadata workload) {
        PodTemplateSpec template = workload instanceof Deployment deployment
                ? deployment.getSpec().getTemplate()
                : ((StatefulSet) workload).getSpec().getTemplate();
        if (template == null
                || template.getMetadata() == null
                || template.getMetadata().getAnnotations() == null) {
            return null;
        }
        return template.getMetadata().getAnnotations().get(Labels.TEMPLATE_DIGEST);
    }

    /**
     * A workload's template digest as a write left it.
     *
     * @param uid        the workload's uid: a workload deleted and made again is another object
     * @param generation its {@code metadata.generation} after the write, which grows with every change of its spec
     * @param digest     its template's {@link Labels#TEMPLATE_DIGEST}, or null
     */
    record WrittenTemplate(String uid, long generation, String digest) {
        static Optional<WrittenTemplate> of(HasMetadata written) {
            if (written == null
                    || written.getMetadata().getUid() == null
                    || written.getMetadata().getGeneration() == null) {
                return Optional.empty();
            }
            return Optional.of(new WrittenTemplate(
                    written.getMetadata().getUid(), written.getMetadata().getGeneration(), templateOf(written)));
        }

        /**
         * The template digest pods must have to be current: the cached workload's, unless the cache still holds that
         * very workload as it was before the last write, when it is the written one.
         *
         * @param written the last write of this workload, or null
         */
        static String current(HasMetadata cached, WrittenTemplate written) {
            Long generation = cached.getMetadata().getGeneration();
            if (written != null
                    && written.uid().equals(cached.getMetadata().getUid())
                    && generation != null
                    && generation < written.generation()) {
                return written.digest();
            }
            return templateOf(cached);
        }
    }

    private static PodSpec podSpecOf(HasMetadata workload) {
        return workload instanceof Deployment deployment
                ? deployment.getSpec().getTemplate().getSpec()
                : ((StatefulSet) workload).getSpec().getTemplate().getSpec();
    }

    /** The port of the app's container, where its pods' endpoints are. */
    private static int containerPort(PodSpec spec) {
        if (spec == null || spec.getContainers() == null) {
            return AppObjects.DEFAULT_CONTAINER_PORT;
        }
        return spec.getContainers().stream()
                .filter(container -> AppObjects.CONTAINER.equals(container.getName()))
                .findFirst()
                .map(Container::getPorts)
                .flatMap(ports -> ports.stream().findFirst())
                .map(ContainerPort::getContainerPort)
                .orElse(AppObjects.DEFAULT_CONTAINER_PORT);
    }

    private static Optional<String> loadBalancerAddress(Service service) {
        if (service.getStatus() == null
                || service.getStatus().getLoadBalancer() == null
                || service.getStatus().getLoadBalancer().getIngress() == null) {
            return Optional.empty();
        }
        return service.getStatus().getLoadBalancer().getIngress().stream()
                .map(ingress -> ingress.getIp() != null ? ingress.getIp() : ingress.getHostname())
                .filter(Objects::nonNull)
                .findFirst();
    }

    private static Optional<Integer> nodePort(Service service) {
        if (service.getSpec() == null || service.getSpec().getPorts() == null) {
            return Optional.empty();
        }
        return service.getSpec().getPorts().stream()
                .map(ServicePort::getNodePort)
                .filter(Objects::nonNull)
                .findFirst();
    }

    private static Optional<String> ingressAddress(Ingress ingress) {
        if (ingress.getStatus() == null
                || ingress.getStatus().getLoadBalancer() == null
                || ingress.getStatus().getLoadBalancer().getIngress() == null) {
            return Optional.empty();
        }
        return ingress.getStatus().getLoadBalancer().getIngress().stream()
                .map(address -> address.getIp() != null ? address.getIp() : address.getHostname())
                .filter(Objects::nonNull)
                .findFirst();
    }

    /** The address NodePort URLs use: {@code node-host}, else a node's external address, else its internal one. */
    private Optional<String> nodeAddress() {
        if (config.nodeHost() != null) {
            return Optional.of(config.nodeHost());
        }
        NodeAddressLookup last = nodeAddress.get();
        Instant now = clock.instant();
        if (last != null && now.isBefore(last.expires())) {
            return last.address();
        }
        Optional<String> found;
        try {
            List<Node> nodes = call(
                    "looking up a node's address for NodePort URLs",
                    () -> client.nodes().list().getItems());
            found = firstAddress(nodes, "ExternalIP").or(() -> firstAddress(nodes, "InternalIP"));
        } catch (PlatformException e) {
            log.warn("no URL for NodePort apps: {}; set {}.node-host", e.getMessage(), KubernetesClusterConfig.SECTION);
            found = Optional.empty();
        }
        nodeAddress.set(new NodeAddressLookup(found, now.plus(NODE_ADDRESS_TTL)));
        return found;
    }

    private static Optional<String> firstAddress(List<Node> nodes, String type) {
        return nodes.stream()
                .filter(node -> node.getStatus() != null && node.getStatus().getAddresses() != null)
                .flatMap(node -> node.getStatus().getAddresses().stream())
                .filter(address -> type.equals(address.getType()))
                .map(NodeAddress::getAddress)
                .filter(Objects::nonNull)
                .findFirst();
    }

    private record NodeAddressLookup(Optional<String> address, Instant expires) {}

    private static String host(String address) {
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }

    // ---- writing ----

    /**
     * Makes sure the user's namespace exists and is EMP's, once per run: a namespace of that name that EMP did not
     * make for this user is not used.
     */
    private void ensureNamespace(Names names, String doing) {
        if (!namespaces.add(names.namespace())) {
            return;
        }
        try {
            applyOwned(objects.namespace(names), names, doing);
            if (config.networkPolicy()) {
                applyOwned(objects.networkPolicy(names), names, doing);
            }
        } catch (RuntimeException e) {
            namespaces.remove(names.namespace());
            throw e;
        }
    }

    /** Applies {@code desired} unless an object of its kind and name exists that is not the app's. */
    private <T extends HasMetadata> T applyOwned(T desired, Names names, String doing) {
        Ownership.require(client.resource(desired).get(), names, doing);
        return applier.apply(desired);
    }

    private Resource<Deployment> deployment(Names names) {
        return client.apps().deployments().inNamespace(names.namespace()).withName(names.object());
    }

    private Resource<StatefulSet> statefulSet(Names names) {
        return client.apps().statefulSets().inNamespace(names.namespace()).withName(names.object());
    }

    /**
     * Keeps {@value Labels#REPLICAS_BEFORE_STOP} true after a deploy: set when the app was deployed with no replicas
     * after running some, gone when it runs replicas.
     */
    private void rememberReplicas(Names names, HasMetadata written, HasMetadata previous, int replicas) {
        Integer remembered = null;
        if (replicas == 0 && previous != null) {
            remembered = replicasOf(previous) > 0 ? Integer.valueOf(replicasOf(previous)) : rememberedOf(previous);
        }
        Integer now = rememberedOf(written);
        if (remembered != null && !remembered.equals(now)) {
            patchReplicas(names, written, replicas, remembered, false);
        } else if (replicas > 0 && now != null) {
            patchReplicas(names, written, replicas, null, true);
        }
    }

    /**
     * A JSON merge patch of the replica count and the remembered count: it touches those fields only, so it neither
     * needs the whole object nor takes fields from the apply's field manager.
     */
    private void patchReplicas(
            Names names, HasMetadata workload, int replicas, Integer remembered, boolean forgetRemembered) {
        String annotation = remembered != null ? "\"" + remembered + "\"" : forgetRemembered ? "null" : null;
        String patch = "{"
                + (annotation == null
                        ? ""
                        : "\"metadata\":{\"annotations\":{\"" + Labels.REPLICAS_BEFORE_STOP + "\":" + annotation
                                + "}},")
                + "\"spec\":{\"replicas\":" + replicas + "}}";
        PatchContext context = PatchContext.of(PatchType.JSON_MERGE);
        context.setFieldManager(Applier.FIELD_MANAGER);
        if (workload instanceof Deployment) {
            deployment(names).patch(context, patch);
        } else {
            statefulSet(names).patch(context, patch);
        }
    }

    /** Calls the API server; any refusal becomes a {@link PlatformException} that says it {@code action}. */
    private <T> T call(String action, Supplier<T> work) {
        try {
            return withPluginLoader(work);
        } catch (KubernetesClientException e) {
            throw KubernetesErrors.translate(e, action, server);
        }
    }

    /**
     * Runs {@code work} with the plugin's class loader as the thread's context loader: the client looks up model
     * classes through it, and another loader's copy of them (the caller's) is not the plugin's.
     */
    private static <T> T withPluginLoader(Supplier<T> work) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        ClassLoader own = KubernetesClusterManager.class.getClassLoader();
        if (previous == own) {
            return work.get();
        }
        thread.setContextClassLoader(own);
        try {
            return work.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
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
        if (!synced()) {
            throw new PlatformException(
                    ErrorCategory.UNAVAILABLE,
                    "EMP has not yet read what runs on the Kubernetes cluster at " + server + ", so it cannot go on "
                            + action + ": " + watchProblem() + "; it keeps trying");
        }
    }

    /** What keeps the informers from their view, in words; the API server's refusal when that is what it is. */
    private String watchProblem() {
        Throwable error = lastWatchError.get();
        if (error == null) {
            return "no answer from the API server yet";
        }
        if (error instanceof KubernetesClientException e) {
            return KubernetesErrors.translate(e, "watching the apps", server).getMessage();
        }
        return KubernetesErrors.rootCause(error);
    }

    private <T> SharedIndexInformer<T> informer(SharedIndexInformer<T> informer) {
        informer.exceptionHandler((started, error) -> {
            lastWatchError.set(error);
            log.debug(
                    "watching {} failed; trying again",
                    informer.getApiTypeClass().getSimpleName(),
                    error);
            return true;
        });
        informers.add(informer);
        return informer;
    }

    // ---- events ----

    /** Turns each change of a pod into the events it means; runs on the pod informer's thread. */
    private final class PodEvents implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            // A pod seen for the first time is recorded, not reported: at start, the informer lists every pod.
            look(pod, false);
        }

        @Override
        public void onUpdate(Pod before, Pod pod) {
            look(pod, true);
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            Replica last = replicas.remove(pod.getMetadata().getUid());
            if (last != null) {
                emit(List.of(new ClusterEvent(
                        last.app(),
                        last.name(),
                        ClusterEvent.Type.STOPPED,
                        "replica " + last.name() + " stopped (pod deleted)",
                        clock.instant())));
            }
        }

        private void look(Pod pod, boolean report) {
            Optional<AppRef> app = Replica.appOf(pod);
            if (app.isEmpty()) {
                return;
            }
            Instant now = clock.instant();
            Replica replica = Replica.of(pod, app.get(), now);
            Replica prior = replicas.put(pod.getMetadata().getUid(), replica);
            if (report) {
                emit(replica.changesSince(prior, containerPort(pod.getSpec()), now));
            }
        }
    }

    /**
     * Reports the problems a Deployment's conditions name ({@link WorkloadConditions}) as they appear: a quota or an
     * admission controller refusing its pods leaves no pod whose events would say so.
     */
    private final class DeploymentEvents implements ResourceEventHandler<Deployment> {
        @Override
        public void onAdd(Deployment deployment) {
            // As with pods: at start the informer lists every Deployment, and what it lists is not news.
        }

        @Override
        public void onUpdate(Deployment before, Deployment deployment) {
            Optional<String> problem = WorkloadConditions.problem(deployment);
            if (problem.isEmpty() || problem.equals(WorkloadConditions.problem(before))) {
                return;
            }
            appOf(deployment)
                    .ifPresent(app -> emit(List.of(new ClusterEvent(
                            app,
                            deployment.getMetadata().getName(),
                            ClusterEvent.Type.CRASHED,
                            "Kubernetes makes no replica of app '" + app + "': " + problem.get()
                                    + "; see the namespace's quota and Pod Security level, or the image",
                            clock.instant()))));
        }

        @Override
        public void onDelete(Deployment deployment, boolean finalStateUnknown) {}
    }

    private void emit(List<ClusterEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        for (ClusterEvent event : events) {
            if (event.type() == ClusterEvent.Type.CRASHED) {
                log.warn("app '{}': {}", event.app(), event.message());
            } else {
                log.info("app '{}': {}", event.app(), event.message());
            }
        }
        try {
            notifier.execute(() -> {
                for (ClusterEvent event : events) {
                    for (ClusterListener listener : listeners) {
                        try {
                            listener.onEvent(event);
                        } catch (RuntimeException e) {
                            log.warn("a cluster listener failed on event '{}'", event.message(), e);
                        }
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // Closed: nobody listens any more.
        }
    }
}
