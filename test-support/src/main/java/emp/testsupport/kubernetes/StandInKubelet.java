package emp.testsupport.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stand-in's kubelet: moves each pod through the steps a real node would, one every {@link #STEP} — pulled,
 * started, ready and serving; or, by its image, crashing again and again ({@link StandInController#CRASH_LOOP_IMAGE})
 * or never pulled ({@link StandInController#MISSING_IMAGE}) — with the log lines a container would write.
 */
final class StandInKubelet {
    /** How long a pod takes from made to ready, and between two steps of a crash loop. */
    static final Duration STEP = Duration.ofMillis(150);

    private final MockCluster cluster;
    private final KubernetesClient client;
    /** When each pod (by namespace/name) last changed, for the steps that take time. */
    private final Map<String, Instant> changed = new ConcurrentHashMap<>();

    private final AtomicInteger podIps = new AtomicInteger(1);

    StandInKubelet(MockCluster cluster) {
        this.cluster = cluster;
        this.client = cluster.client();
    }

    /** A pod was made now. */
    void made(String namespaceAndName) {
        changed.put(namespaceAndName, Instant.now());
    }

    /** A pod was deleted. */
    void forget(String namespaceAndName) {
        changed.remove(namespaceAndName);
    }

    /** Moves the pod one step on once {@link #STEP} has passed since its last step. */
    void step(Pod pod) {
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        Instant last = changed.computeIfAbsent(key, ignored -> Instant.now());
        if (Duration.between(last, Instant.now()).compareTo(STEP) < 0) {
            return;
        }
        Container app = pod.getSpec().getContainers().get(0);
        String image = app.getImage();
        ContainerStatus container = pod.getStatus().getContainerStatuses().get(0);
        int restarts = container.getRestartCount();
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        Pod next;
        if (StandInController.MISSING_IMAGE.equals(image)) {
            String waiting = container.getState().getWaiting() == null
                    ? null
                    : container.getState().getWaiting().getReason();
            if ("ImagePullBackOff".equals(waiting)) {
                return;
            }
            boolean firstFailure = !"ErrImagePull".equals(waiting);
            next = withStatus(
                    pod,
                    "Pending",
                    false,
                    containerStatus(app, 0, false)
                            .withState(new ContainerStateBuilder()
                                    .withNewWaiting()
                                    .withReason(firstFailure ? "ErrImagePull" : "ImagePullBackOff")
                                    .withMessage(
                                            firstFailure
                                                    ? "failed to pull and unpack image \"" + image + "\": not found"
                                                    : "Back-off pulling image \"" + image + "\"")
                                    .endWaiting()
                                    .build())
                            .build());
        } else if (StandInController.CRASH_LOOP_IMAGE.equals(image)) {
            boolean running = container.getState().getRunning() != null;
            boolean terminated = container.getState().getTerminated() != null;
            ContainerStatusBuilder status;
            if (running) {
                cluster.log(namespace, name, "fatal: cannot open configuration; exiting with code 1");
                status = containerStatus(app, restarts, false)
                        .withState(new ContainerStateBuilder()
                                .withNewTerminated()
                                .withExitCode(1)
                                .withReason("Error")
                                .withFinishedAt(Instant.now().toString())
                                .endTerminated()
                                .build());
                lastExit(status);
            } else if (terminated) {
                status = containerStatus(app, restarts + 1, false)
                        .withState(new ContainerStateBuilder()
                                .withNewWaiting()
                                .withReason("CrashLoopBackOff")
                                .withMessage(
                                        "back-off 10s restarting failed container=" + app.getName() + " pod=" + name)
                                .endWaiting()
                                .build());
                lastExit(status);
            } else {
                cluster.log(namespace, name, "starting " + image);
                status = containerStatus(app, restarts, false)
                        .withState(new ContainerStateBuilder()
                                .withNewRunning()
                                .withStartedAt(Instant.now().toString())
                                .endRunning()
                                .build());
                if (restarts > 0) {
                    lastExit(status);
                }
            }
            next = withStatus(pod, "Running", false, status.build());
        } else {
            if (ready(pod)) {
                return;
            }
            cluster.log(namespace, name, "starting " + image);
            cluster.log(namespace, name, "listening on port " + port(pod));
            next = withStatus(
                    pod,
                    "Running",
                    true,
                    containerStatus(app, restarts, true)
                            .withState(new ContainerStateBuilder()
                                    .withNewRunning()
                                    .withStartedAt(Instant.now().toString())
                                    .endRunning()
                                    .build())
                            .build());
        }
        client.pods().inNamespace(namespace).resource(next).update();
        changed.put(key, Instant.now());
    }

    private Pod withStatus(Pod pod, String phase, boolean ready, ContainerStatus container) {
        String ip = pod.getStatus().getPodIP();
        if (ip == null && "Running".equals(phase)) {
            int n = podIps.getAndIncrement();
            ip = "10.244." + (n / 250) + "." + (n % 250 + 2);
        }
        return new PodBuilder(pod)
                .editStatus()
                .withPhase(phase)
                .withPodIP(ip)
                .withStartTime(
                        pod.getStatus().getStartTime() == null
                                ? Instant.now().toString()
                                : pod.getStatus().getStartTime())
                .withConditions(
                        condition("PodScheduled", "True"),
                        condition("ContainersReady", ready ? "True" : "False"),
                        condition("Ready", ready ? "True" : "False"))
                .withContainerStatuses(container)
                .endStatus()
                .build();
    }

    /** The status of the pod's (first and only) container, named as the kubelet names it: after the container. */
    static ContainerStatusBuilder containerStatus(Container app, int restarts, boolean ready) {
        return new ContainerStatusBuilder()
                .withName(app.getName())
                .withImage(app.getImage())
                .withReady(ready)
                .withStarted(ready)
                .withRestartCount(restarts);
    }

    private static void lastExit(ContainerStatusBuilder status) {
        status.withLastState(new ContainerStateBuilder()
                .withNewTerminated()
                .withExitCode(1)
                .withReason("Error")
                .endTerminated()
                .build());
    }

    static PodCondition condition(String type, String status) {
        return new PodConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withLastTransitionTime(Instant.now().toString())
                .build();
    }

    private static int port(Pod pod) {
        return pod.getSpec().getContainers().get(0).getPorts().get(0).getContainerPort();
    }

    /** Whether the pod's Ready condition is true. */
    static boolean ready(Pod pod) {
        return pod.getStatus() != null
                && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
