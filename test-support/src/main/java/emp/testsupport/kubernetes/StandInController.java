package emp.testsupport.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the mock API server lacks: the controllers and kubelets of a cluster, reduced to what EMP observes. Every tick
 * it reads the Deployments and StatefulSets and makes their pods match them, the way the Deployment, ReplicaSet and
 * StatefulSet controllers would (a changed template replaces the pods, new ones first; a StatefulSet's pods are
 * {@code <name>-<ordinal>} with a volume claim each, which outlives them), and plays the kubelet: a pod becomes
 * running and ready a short while after it is made, and writes a few log lines.
 *
 * <p>Images decide what a pod does: {@link #CRASH_LOOP_IMAGE} exits with code 1 again and again, going through
 * {@code CrashLoopBackOff} with a growing restart count, and {@link #MISSING_IMAGE} never pulls
 * ({@code ErrImagePull}, then {@code ImagePullBackOff}). It also plays the cloud: Services of type LoadBalancer get
 * {@link #LOAD_BALANCER_IP}, NodePort Services a node port, Ingresses {@link #INGRESS_IP}. These addresses are never
 * contacted; they are what a real cluster would report.
 */
public final class StandInController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StandInController.class);

    public static final String CRASH_LOOP_IMAGE = "example.test/crash-loop:1";
    public static final String MISSING_IMAGE = "example.test/no-such-image:1";
    public static final String LOAD_BALANCER_IP = "192.0.2.10";
    public static final String INGRESS_IP = "192.0.2.20";
    public static final int FIRST_NODE_PORT = 30080;

    private static final Duration TICK = Duration.ofMillis(50);

    private final KubernetesClient client;
    private final MockCluster cluster;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stand-in-controller");
        thread.setDaemon(true);
        return thread;
    });
    private final StandInKubelet kubelet;
    private final AtomicInteger nodePorts = new AtomicInteger(FIRST_NODE_PORT);

    /** A controller of {@code cluster}'s objects, acting through its {@link MockCluster#client()}; idle until started. */
    public StandInController(MockCluster cluster) {
        this.cluster = cluster;
        this.client = cluster.client();
        this.kubelet = new StandInKubelet(cluster);
    }

    /** Starts ticking on a daemon thread of its own; returns this controller. */
    public StandInController start() {
        executor.scheduleWithFixedDelay(this::tickSafely, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (KubernetesClientException e) {
            // A write raced with the plugin's (409) or an object went meanwhile: the next tick sees the new state.
            log.debug("stand-in tick: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("stand-in tick failed", e);
        }
    }

    private void tick() {
        List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
        Set<String> owners = new HashSet<>();
        for (Deployment deployment :
                client.apps().deployments().inAnyNamespace().list().getItems()) {
            owners.add(deployment.getMetadata().getUid());
            replicate(
                    deployment,
                    deployment.getSpec().getReplicas(),
                    deployment.getSpec().getTemplate(),
                    pods,
                    false);
        }
        for (StatefulSet statefulSet :
                client.apps().statefulSets().inAnyNamespace().list().getItems()) {
            owners.add(statefulSet.getMetadata().getUid());
            replicate(
                    statefulSet,
                    statefulSet.getSpec().getReplicas(),
                    statefulSet.getSpec().getTemplate(),
                    pods,
                    true);
        }
        // The garbage collector: pods whose controller is gone go too.
        for (Pod pod : pods) {
            OwnerReference owner = controller(pod);
            if (owner != null && !owners.contains(owner.getUid())) {
                delete(pod);
            }
        }
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            kubelet.step(pod);
        }
        for (Service service : client.services().inAnyNamespace().list().getItems()) {
            cloud(service);
        }
        for (Ingress ingress :
                client.network().v1().ingresses().inAnyNamespace().list().getItems()) {
            if (ingress.getStatus() == null
                    || ingress.getStatus().getLoadBalancer() == null
                    || ingress.getStatus().getLoadBalancer().getIngress() == null
                    || ingress.getStatus().getLoadBalancer().getIngress().isEmpty()) {
                patch(ingress, "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"" + INGRESS_IP + "\"}]}}}");
            }
        }
    }

    /** The ReplicaSet and StatefulSet controllers, reduced: the pods of the current template, then the old ones go. */
    private void replicate(
            HasMetadata workload, Integer replicaCount, PodTemplateSpec template, List<Pod> allPods, boolean stateful) {
        int desired = replicaCount == null ? 1 : replicaCount;
        String hash = hash(template);
        String uid = workload.getMetadata().getUid();
        List<Pod> owned = allPods.stream()
                .filter(pod ->
                        controller(pod) != null && uid.equals(controller(pod).getUid()))
                .sorted(Comparator.comparing(pod -> pod.getMetadata().getCreationTimestamp()
                        + pod.getMetadata().getName()))
                .toList();
        List<Pod> current = new ArrayList<>();
        List<Pod> old = new ArrayList<>();
        for (Pod pod : owned) {
            (hash.equals(pod.getMetadata().getLabels().get("pod-template-hash")) ? current : old).add(pod);
        }
        String namespace = workload.getMetadata().getNamespace();
        String name = workload.getMetadata().getName();
        if (stateful) {
            Set<String> wanted = new HashSet<>();
            for (int ordinal = 0; ordinal < desired; ordinal++) {
                wanted.add(name + "-" + ordinal);
            }
            for (Pod pod : owned) {
                if (!wanted.contains(pod.getMetadata().getName()) || old.contains(pod)) {
                    delete(pod);
                }
            }
            Set<String> existing = new HashSet<>();
            current.forEach(pod -> existing.add(pod.getMetadata().getName()));
            old.forEach(pod -> existing.add(pod.getMetadata().getName()));
            for (int ordinal = 0; ordinal < desired; ordinal++) {
                String podName = name + "-" + ordinal;
                if (!existing.contains(podName)) {
                    claimVolumes((StatefulSet) workload, ordinal);
                    create(workload, template, namespace, podName, hash);
                }
            }
        } else {
            // The Deployment controller's rolling update: at most maxSurge pods beyond the wanted count while old ones
            // remain, and never fewer ready than wanted less maxUnavailable.
            RollingUpdateDeployment strategy = ((Deployment) workload).getSpec().getStrategy() == null
                    ? null
                    : ((Deployment) workload).getSpec().getStrategy().getRollingUpdate();
            int surge = strategy == null ? 1 : resolve(strategy.getMaxSurge(), desired, true);
            int unavailable = strategy == null ? 0 : resolve(strategy.getMaxUnavailable(), desired, false);
            List<Pod> oldLeft = new ArrayList<>(old);
            long readyCurrent = current.stream().filter(StandInKubelet::ready).count();
            long readyOld = oldLeft.stream().filter(StandInKubelet::ready).count();
            // Old pods that do not serve go first; those that serve, while enough others do.
            oldLeft.sort(Comparator.comparing(StandInKubelet::ready));
            for (Pod pod : List.copyOf(oldLeft)) {
                boolean serving = StandInKubelet.ready(pod);
                if (!serving || readyCurrent + readyOld - 1 >= desired - unavailable) {
                    delete(pod);
                    oldLeft.remove(pod);
                    readyOld -= serving ? 1 : 0;
                }
            }
            int room = oldLeft.isEmpty() ? Integer.MAX_VALUE : desired + surge - oldLeft.size();
            for (int i = current.size(); i < desired && i < room; i++) {
                create(workload, template, namespace, name + "-" + hash + "-" + suffix(), hash);
            }
            // The newest go first when scaling down: the oldest have proven themselves.
            for (int i = desired; i < current.size(); i++) {
                delete(current.get(current.size() - 1 - (i - desired)));
            }
        }
        long ready = current.stream().filter(StandInKubelet::ready).count();
        String counts = owned.size() + "/" + ready + "/" + current.size();
        if (!counts.equals(counts(workload))) {
            patch(
                    workload,
                    "{\"status\":{\"replicas\":" + owned.size() + ",\"readyReplicas\":" + ready
                            + ",\"updatedReplicas\":" + current.size()
                            + (stateful ? "" : ",\"availableReplicas\":" + ready) + "}}");
        }
    }

    /** A maxSurge (rounded up) or maxUnavailable (rounded down) as a count of pods, as Kubernetes resolves them. */
    private static int resolve(IntOrString value, int replicas, boolean roundUp) {
        if (value == null) {
            return roundUp ? Math.max(1, (replicas + 3) / 4) : replicas / 4;
        }
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        int percent = Integer.parseInt(value.getStrVal().replace("%", ""));
        return roundUp ? (percent * replicas + 99) / 100 : percent * replicas / 100;
    }

    /** What a workload's status says now, as replicas/ready/updated. */
    private static String counts(HasMetadata workload) {
        if (workload instanceof Deployment deployment && deployment.getStatus() != null) {
            var status = deployment.getStatus();
            return status.getReplicas() + "/" + status.getReadyReplicas() + "/" + status.getUpdatedReplicas();
        }
        if (workload instanceof StatefulSet statefulSet && statefulSet.getStatus() != null) {
            var status = statefulSet.getStatus();
            return status.getReplicas() + "/" + status.getReadyReplicas() + "/" + status.getUpdatedReplicas();
        }
        return "";
    }

    private void create(HasMetadata workload, PodTemplateSpec template, String namespace, String name, String hash) {
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
        labels.put("pod-template-hash", hash);
        Container app = template.getSpec().getContainers().get(0);
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withLabels(labels)
                .withAnnotations(template.getMetadata().getAnnotations())
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(workload.getApiVersion())
                        .withKind(workload.getKind())
                        .withName(workload.getMetadata().getName())
                        .withUid(workload.getMetadata().getUid())
                        .withController(true)
                        .build())
                .endMetadata()
                .withSpec(template.getSpec())
                .withNewStatus()
                .withPhase("Pending")
                .withConditions(StandInKubelet.condition("PodScheduled", "True"))
                .withContainerStatuses(StandInKubelet.containerStatus(app, 0, false)
                        .withState(new ContainerStateBuilder()
                                .withNewWaiting()
                                .withReason("ContainerCreating")
                                .endWaiting()
                                .build())
                        .build())
                .endStatus()
                .build();
        client.pods().inNamespace(namespace).resource(pod).create();
        kubelet.made(namespace + "/" + name);
    }

    /** The StatefulSet controller makes each replica's claims from the templates, and never deletes them. */
    private void claimVolumes(StatefulSet statefulSet, int ordinal) {
        String namespace = statefulSet.getMetadata().getNamespace();
        for (PersistentVolumeClaim template : statefulSet.getSpec().getVolumeClaimTemplates()) {
            String name = template.getMetadata().getName() + "-"
                    + statefulSet.getMetadata().getName() + "-" + ordinal;
            if (client.persistentVolumeClaims()
                            .inNamespace(namespace)
                            .withName(name)
                            .get()
                    != null) {
                continue;
            }
            client.persistentVolumeClaims()
                    .inNamespace(namespace)
                    .resource(new PersistentVolumeClaimBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .withNamespace(namespace)
                            .withLabels(template.getMetadata().getLabels())
                            .endMetadata()
                            .withSpec(template.getSpec())
                            .withNewStatus()
                            .withPhase("Bound")
                            .endStatus()
                            .build())
                    .create();
        }
    }

    /** The cloud provider and the API server's node port allocator, for Services. */
    private void cloud(Service service) {
        String type = service.getSpec().getType();
        if ("LoadBalancer".equals(type)
                && (service.getStatus() == null
                        || service.getStatus().getLoadBalancer() == null
                        || service.getStatus().getLoadBalancer().getIngress() == null
                        || service.getStatus().getLoadBalancer().getIngress().isEmpty())) {
            patch(service, "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"" + LOAD_BALANCER_IP + "\"}]}}}");
        }
        if ("NodePort".equals(type) && service.getSpec().getPorts().get(0).getNodePort() == null) {
            var port = service.getSpec().getPorts().get(0);
            patch(
                    service,
                    "{\"spec\":{\"ports\":[{\"name\":\"" + port.getName() + "\",\"port\":" + port.getPort()
                            + ",\"targetPort\":\"" + port.getTargetPort().getStrVal() + "\",\"protocol\":\"TCP\""
                            + ",\"nodePort\":" + nodePorts.getAndIncrement() + "}]}}");
        }
    }

    private static OwnerReference controller(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        return owners == null
                ? null
                : owners.stream()
                        .filter(owner -> Boolean.TRUE.equals(owner.getController()))
                        .findFirst()
                        .orElse(null);
    }

    private void delete(Pod pod) {
        client.pods()
                .inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName())
                .delete();
        kubelet.forget(
                pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
    }

    private void patch(HasMetadata object, String json) {
        client.resource(object).patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    /** Like the pod-template-hash label: the same template gives the same hash. */
    private static String hash(PodTemplateSpec template) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Serialization.asJson(template).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String suffix() {
        String letters = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder suffix = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            suffix.append(letters.charAt(ThreadLocalRandom.current().nextInt(letters.length())));
        }
        return suffix.toString();
    }
}
