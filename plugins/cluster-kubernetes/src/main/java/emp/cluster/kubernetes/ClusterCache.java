package emp.cluster.kubernetes;

import emp.spi.AppRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the cluster runs of EMP's, as informers hold it: the Deployments, StatefulSets, Services, Ingresses (with
 * exposure Ingress) and pods that carry {@link Labels#MANAGED_BY} {@value Labels#EMP}, listed and watched across
 * namespaces. Status, endpoints and the app list read it and cost no call to the API server. Secrets are never watched,
 * so their values are not held in this process beyond a deploy.
 *
 * <p>Each informer lists again and watches again on its own after a failure; the last failure is kept to say, while
 * the caches lack their first full view, what keeps them from it.
 */
final class ClusterCache {
    private static final Logger log = LoggerFactory.getLogger(ClusterCache.class);

    /** The informer index of pods by {@code namespace/app label}. */
    private static final String APP_INDEX = "emp-app";

    private final String server;
    private final List<SharedIndexInformer<?>> informers = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> lastWatchError = new AtomicReference<>();
    private final SharedIndexInformer<Deployment> deployments;
    private final SharedIndexInformer<StatefulSet> statefulSets;
    private final SharedIndexInformer<Service> services;
    /** Null unless the exposure is Ingress. */
    private final SharedIndexInformer<Ingress> ingresses;

    private final SharedIndexInformer<Pod> pods;

    /** Makes the informers, which call nothing until {@link #start()}; {@code events} hears of pods and Deployments. */
    ClusterCache(ClusterApi api, Exposure exposure, ClusterEvents events) {
        KubernetesClient client = api.client();
        this.server = api.server();
        deployments = informer(client.apps().deployments());
        deployments.addEventHandler(events.deployments());
        statefulSets = informer(client.apps().statefulSets());
        services = informer(client.services());
        ingresses =
                exposure == Exposure.INGRESS ? informer(client.network().v1().ingresses()) : null;
        pods = informer(client.pods());
        pods.addIndexers(Map.of(APP_INDEX, pod -> List.of(appKey(pod))));
        pods.addEventHandler(events.pods());
    }

    private <T extends HasMetadata> SharedIndexInformer<T> informer(MixedOperation<T, ?, ?> objects) {
        SharedIndexInformer<T> informer = objects.inAnyNamespace()
                .withLabel(Labels.MANAGED_BY, Labels.EMP)
                .runnableInformer(0);
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

    void start() {
        informers.forEach(SharedIndexInformer::start);
    }

    void stop() {
        informers.forEach(SharedIndexInformer::stop);
    }

    /** Whether every informer has its full view. */
    boolean synced() {
        return informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** Whether every informer is watching now, as opposed to listing again after a failure. */
    boolean watching() {
        return informers.stream().allMatch(SharedIndexInformer::isWatching);
    }

    /** Waits until every informer has its full view and watches, {@code timeout} at most; whether they do. */
    boolean awaitSync(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (synced() && watching()) {
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

    /** What keeps the informers from their view, in words; the API server's refusal when that is what it is. */
    String watchProblem() {
        Throwable error = lastWatchError.get();
        if (error == null) {
            return "no answer from the API server yet";
        }
        if (error instanceof KubernetesClientException e) {
            return KubernetesErrors.translate(e, "watching the apps", server).getMessage();
        }
        return KubernetesErrors.rootCause(error);
    }

    /** The Deployment or StatefulSet of the app, or null. */
    HasMetadata workload(Names names) {
        Deployment deployment = deployments.getStore().getByKey(key(names));
        return deployment != null ? deployment : statefulSets.getStore().getByKey(key(names));
    }

    Optional<Service> service(Names names) {
        return Optional.ofNullable(services.getStore().getByKey(key(names)));
    }

    /** The app's Ingress; empty unless the exposure is Ingress. */
    Optional<Ingress> ingress(Names names) {
        return ingresses == null
                ? Optional.empty()
                : Optional.ofNullable(ingresses.getStore().getByKey(key(names)));
    }

    /** The app's pods, those that will not run again included (see {@link Workloads#terminal}). */
    List<Pod> pods(Names names) {
        return pods.getIndexer().byIndex(APP_INDEX, names.namespace() + "/" + names.nameLabel());
    }

    /** The apps whose Deployment or StatefulSet carries EMP's labels and names the app in its annotations. */
    Set<AppRef> apps() {
        Set<AppRef> apps = new HashSet<>();
        for (SharedIndexInformer<? extends HasMetadata> informer : List.of(deployments, statefulSets)) {
            for (HasMetadata workload : informer.getStore().list()) {
                Labels.appOf(workload).ifPresent(apps::add);
            }
        }
        return Set.copyOf(apps);
    }

    /** The caches' key of the app's objects, {@code namespace/name}. */
    static String key(Names names) {
        return Cache.namespaceKeyFunc(names.namespace(), names.object());
    }

    private static String appKey(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return pod.getMetadata().getNamespace() + "/" + (labels == null ? "" : labels.getOrDefault(Labels.NAME, ""));
    }
}
