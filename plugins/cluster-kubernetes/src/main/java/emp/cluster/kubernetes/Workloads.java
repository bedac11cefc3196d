package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.InstanceStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Deployment (stateless) or StatefulSet (stateful) that runs each app's replicas: writing it, switching an app
 * from one to the other, scaling it, removing the app's objects, and the app's status from the caches.
 *
 * <p>Scaling patches the replica count; scaling to zero keeps the objects and volumes and remembers the count the app
 * had in the annotation {@value Labels#REPLICAS_BEFORE_STOP}, which running replicas again removes. A StatefulSet keeps
 * the volume claim templates it was made with, which Kubernetes does not change.
 */
final class Workloads {
    private static final Logger log = LoggerFactory.getLogger(Workloads.class);

    /** What the API server says when a write changes a StatefulSet field it keeps fixed. */
    private static final String FIXED_STATEFULSET_FIELDS = "updates to statefulset spec for fields other than";

    private final ClusterApi api;
    private final ClusterCache cache;
    private final AppObjects objects;
    private final Clock clock;
    /**
     * The template of each app's workload as this manager last wrote it, by {@code namespace/name}: until the informer
     * has seen that write, the cache's template is the one before (see {@link WrittenTemplate}).
     */
    private final Map<String, WrittenTemplate> writtenTemplates = new ConcurrentHashMap<>();

    Workloads(ClusterApi api, ClusterCache cache, AppObjects objects, Clock clock) {
        this.api = requireNonNull(api, "api is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.objects = requireNonNull(objects, "objects is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * The app's workload as the API server holds it now, or null. Writes read it there rather than in the caches,
     * which may not have seen the write just before (a stop right after a scale must remember the new count).
     */
    HasMetadata live(Names names) {
        Deployment deployment = api.deployment(names).get();
        return deployment != null ? deployment : api.statefulSet(names).get();
    }

    /**
     * Writes the app's Deployment or StatefulSet, deleting the one of the other kind it had; its volumes stay, so the
     * data outlives the switch and a switch back finds it again.
     *
     * @param current the app's workload before, from {@link #live}, or null
     * @return the workload as written
     */
    HasMetadata write(AppDeployment deployment, Names names, HasMetadata current, String doing) {
        if (deployment.spec().effectiveStateless()) {
            if (current instanceof StatefulSet) {
                api.statefulSet(names)
                        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                        .delete();
            }
            return api.applyOwned(objects.deployment(deployment), names, doing);
        }
        if (current instanceof Deployment) {
            api.deployment(names)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                    .delete();
        }
        StatefulSet desired = objects.statefulSet(deployment);
        if (current instanceof StatefulSet live) {
            desired = keepVolumes(desired, live, names);
        }
        try {
            return api.applyOwned(desired, names, doing);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 422 && KubernetesErrors.detail(e).contains(FIXED_STATEFULSET_FIELDS)) {
                throw new PlatformException(
                        ErrorCategory.INVALID,
                        "spec",
                        "Kubernetes does not change StatefulSet '" + names.namespace() + "/" + names.object()
                                + "' of app '" + names.app() + "' in place (422: " + KubernetesErrors.detail(e)
                                + "): only its replicas, pod template, update strategy and volume retention may"
                                + " change once it is made; remove the app (keeping its data) and deploy it again",
                        e);
            }
            throw e;
        }
    }

    /** Notes a deploy's workload as written, for {@link #status} until the caches have seen it. */
    void written(Names names, HasMetadata written) {
        WrittenTemplate.of(written).ifPresent(template -> writtenTemplates.put(ClusterCache.key(names), template));
    }

    /**
     * {@code desired} with the volume claim templates {@code live} was made with: Kubernetes refuses (422) any change
     * to them, so {@code storage-class} and {@code volume-size} apply to apps deployed after they are set. A change is
     * logged, once per deploy, with what to do; the deploy goes on with the volumes the app has.
     */
    private static StatefulSet keepVolumes(StatefulSet desired, StatefulSet live, Names names) {
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

    /**
     * Keeps {@value Labels#REPLICAS_BEFORE_STOP} true after a deploy: set when the app was deployed with no replicas
     * after running some, gone when it runs replicas.
     *
     * @param previous the workload before the deploy, or null
     */
    void rememberReplicas(Names names, HasMetadata written, HasMetadata previous, int replicas) {
        Integer remembered = toRemember(previous, replicas);
        Integer now = rememberedOf(written);
        if (remembered != null && !remembered.equals(now)) {
            patchReplicas(names, written, replicas, remembered, false);
        } else if (replicas > 0 && now != null) {
            patchReplicas(names, written, replicas, null, true);
        }
    }

    /** Writes the app's PodDisruptionBudget at two replicas or more, and deletes it below. */
    void keepDisruptionBudget(Names names, int replicas, String doing) {
        if (AppObjects.needsDisruptionBudget(replicas)) {
            api.applyOwned(objects.disruptionBudget(names), names, doing);
        } else {
            ClusterApi.deleteOwned(api.disruptionBudget(names), names, doing);
        }
    }

    /** Sets the replica count; scaling to zero remembers the count the app had. */
    void scale(Names names, int replicas) {
        AppRef app = names.app();
        api.call("scaling app '" + app + "' to " + replicas + " replica(s)", () -> {
            HasMetadata current = requireWorkload(names, "scaling it");
            boolean forget = replicas > 0 && rememberedOf(current) != null;
            patchReplicas(names, current, replicas, toRemember(current, replicas), forget);
            keepDisruptionBudget(names, replicas, "scaling app '" + app + "'");
            return null;
        });
    }

    /** The count to remember when {@code before} goes to {@code replicas}: null unless that is zero. */
    private static Integer toRemember(HasMetadata before, int replicas) {
        if (replicas > 0 || before == null) {
            return null;
        }
        return replicasOf(before) > 0 ? Integer.valueOf(replicasOf(before)) : rememberedOf(before);
    }

    /**
     * A JSON merge patch of the replica count and the remembered count: it touches those fields only, so it neither
     * needs the whole object nor takes fields from the apply's field manager.
     *
     * @param remembered the count to remember, or null to leave the annotation as it is, or remove it with {@code forget}
     */
    private void patchReplicas(Names names, HasMetadata workload, int replicas, Integer remembered, boolean forget) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        if (remembered != null || forget) {
            ObjectNode annotations = patch.putObject("metadata").putObject("annotations");
            if (remembered != null) {
                annotations.put(Labels.REPLICAS_BEFORE_STOP, remembered.toString());
            } else {
                annotations.putNull(Labels.REPLICAS_BEFORE_STOP);
            }
        }
        patch.putObject("spec").put("replicas", replicas);
        PatchContext context = PatchContext.of(PatchType.JSON_MERGE);
        context.setFieldManager(Applier.FIELD_MANAGER);
        Resource<? extends HasMetadata> resource =
                workload instanceof Deployment ? api.deployment(names) : api.statefulSet(names);
        resource.patch(context, Serialization.asJson(patch));
    }

    private HasMetadata requireWorkload(Names names, String doing) {
        HasMetadata workload = live(names);
        if (workload == null) {
            throw PlatformException.notFound("app '" + names.app() + "' is not deployed on the Kubernetes cluster"
                    + " (no Deployment or StatefulSet '" + names.object() + "' in namespace '" + names.namespace()
                    + "'); deploy it before " + doing);
        }
        Ownership.require(workload, names, doing + " (app '" + names.app() + "')");
        return workload;
    }

    /**
     * Deletes the app's workload, Service, Ingress, PodDisruptionBudget and Secret, and its volumes unless
     * {@code keepData}. Objects of those names that are not the app's stay, and the first of them fails the removal
     * (CONFLICT) once EMP's own are gone.
     */
    void remove(Names names, boolean keepData, String doing) {
        api.call(doing, () -> {
            List<Resource<? extends HasMetadata>> parts = List.of(
                    api.deployment(names),
                    api.statefulSet(names),
                    api.service(names),
                    api.ingress(names),
                    api.disruptionBudget(names));
            List<HasMetadata> foreign = new ArrayList<>();
            for (Resource<? extends HasMetadata> part : parts) {
                HasMetadata live = part.get();
                if (live != null && !Ownership.owns(live, names)) {
                    foreign.add(live);
                } else if (live != null) {
                    part.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
                }
            }
            // Secrets are the app's configuration, not its data: they go whether or not the volumes stay.
            ClusterApi.deleteIfOwned(api.secret(names), names);
            if (!keepData) {
                api.client()
                        .persistentVolumeClaims()
                        .inNamespace(names.namespace())
                        .withLabels(Labels.of(names))
                        .delete();
            }
            if (!foreign.isEmpty()) {
                Ownership.require(foreign.get(0), names, doing);
            }
            return null;
        });
        writtenTemplates.remove(ClusterCache.key(names));
    }

    /** The app's status from the caches: its desired count and each pod that may still run, by name. */
    AppStatus status(Names names) {
        AppRef app = names.app();
        HasMetadata workload = cache.workload(names);
        if (workload == null) {
            return AppStatus.absent(app);
        }
        int port = containerPort(templateSpecOf(workload).getSpec());
        String template = WrittenTemplate.current(workload, writtenTemplates.get(ClusterCache.key(names)));
        Instant now = clock.instant();
        List<InstanceStatus> instances = cache.pods(names).stream()
                .filter(pod -> !terminal(pod))
                .sorted(Comparator.comparing(pod -> pod.getMetadata().getName()))
                .map(pod -> Replica.of(pod, app, now).instance(port, template))
                .toList();
        String problem = workload instanceof Deployment deployment
                ? WorkloadConditions.problem(deployment).orElse(null)
                : null;
        return new AppStatus(app, true, replicasOf(workload), instances, problem);
    }

    /** A pod that will not run again: evicted, or finished; its controller has made another in its place. */
    static boolean terminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Failed".equals(phase) || "Succeeded".equals(phase);
    }

    private static PodTemplateSpec templateSpecOf(HasMetadata workload) {
        return workload instanceof Deployment deployment
                ? deployment.getSpec().getTemplate()
                : ((StatefulSet) workload).getSpec().getTemplate();
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
        PodTemplateSpec template = templateSpecOf(workload);
        if (template == null
                || template.getMetadata() == null
                || template.getMetadata().getAnnotations() == null) {
            return null;
        }
        return template.getMetadata().getAnnotations().get(Labels.TEMPLATE_DIGEST);
    }

    /** The port of the app's container, where its pods' endpoints are. */
    static int containerPort(PodSpec spec) {
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
}
