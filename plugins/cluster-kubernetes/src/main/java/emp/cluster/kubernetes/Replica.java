package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What EMP makes of one pod: the replica's state in EMP's words, and the events between two looks at it.
 *
 * @param name     the pod's name, which is the replica's id
 * @param app      the app it belongs to, from the pod's annotations
 * @param deleting whether Kubernetes is terminating it
 * @param ready    whether its Ready condition is true
 * @param restarts how often its container was restarted
 * @param problem  why it is failing, in Kubernetes' words ({@code CrashLoopBackOff: back-off 10s...}), or null
 * @param crashKey what distinguishes one failure from the next (reason and restart count), or null
 * @param waiting  why a starting container waits ({@code ContainerCreating}), or null
 * @param lastExit how the container's previous run ended ({@code code 1 (Error)}), or null
 * @param phase    the pod's phase
 * @param podIp    its address, or null before it has one
 * @param since    when it entered its current state
 * @param template the digest of the template it was made from ({@link Labels#TEMPLATE_DIGEST}), or null
 */
record Replica(
        String name,
        AppRef app,
        boolean deleting,
        boolean ready,
        int restarts,
        String problem,
        String crashKey,
        String waiting,
        String lastExit,
        String phase,
        String podIp,
        Instant since,
        String template) {

    /** Reasons a container waits for that mean it cannot run, not that it is on its way. */
    static final Set<String> FAILING_WAIT_REASONS = Set.of(
            "CrashLoopBackOff",
            "ImagePullBackOff",
            "ErrImagePull",
            "ErrImageNeverPull",
            "InvalidImageName",
            "CreateContainerConfigError",
            "CreateContainerError",
            "RunContainerError",
            "PreStartHookError",
            "PostStartHookError");

    Replica {
        requireNonNull(name, "name is null");
        requireNonNull(app, "app is null");
        requireNonNull(since, "since is null");
    }

    static Replica of(Pod pod, AppRef app, Instant now) {
        PodStatus status = pod.getStatus();
        String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
        boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
        ContainerStatus container = container(status);
        int restarts = container == null || container.getRestartCount() == null ? 0 : container.getRestartCount();
        ContainerState state = container == null ? null : container.getState();
        ContainerStateWaiting waitingState = state == null ? null : state.getWaiting();
        ContainerStateTerminated terminated = state == null ? null : state.getTerminated();
        String lastExit = container == null || container.getLastState() == null
                ? null
                : exit(container.getLastState().getTerminated());

        String problem = null;
        String crashKey = null;
        String waiting = null;
        Instant since = parse(status == null ? null : status.getStartTime())
                .or(() -> parse(pod.getMetadata().getCreationTimestamp()))
                .orElse(now);
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            problem = "pod " + phase.toLowerCase(Locale.ROOT)
                    + (status.getReason() == null ? "" : " (" + status.getReason() + ")")
                    + (status.getMessage() == null ? "" : ": " + status.getMessage());
            crashKey = phase + "#" + restarts;
        } else if (waitingState != null && FAILING_WAIT_REASONS.contains(waitingState.getReason())) {
            problem = waitingState.getReason()
                    + (waitingState.getMessage() == null ? "" : ": " + waitingState.getMessage())
                    + (lastExit == null ? "" : "; its container last exited with " + lastExit);
            crashKey = waitingState.getReason() + "#" + restarts;
        } else if (terminated != null) {
            problem = "its container exited with " + exit(terminated);
            crashKey = "Terminated#" + restarts;
            since = parse(terminated.getFinishedAt()).orElse(since);
        } else if (waitingState != null) {
            waiting = waitingState.getReason();
        }
        boolean ready = condition(status, "Ready");
        if (ready) {
            since = readySince(status).orElse(since);
        }
        String podIp = status == null ? null : status.getPodIP();
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return new Replica(
                pod.getMetadata().getName(),
                app,
                deleting,
                ready && problem == null,
                restarts,
                problem,
                crashKey,
                waiting,
                lastExit,
                phase,
                podIp,
                since,
                annotations == null ? null : annotations.get(Labels.TEMPLATE_DIGEST));
    }

    InstanceState state() {
        if (deleting) {
            return InstanceState.STOPPING;
        }
        if (problem != null) {
            return InstanceState.CRASHED;
        }
        return ready ? InstanceState.READY : InstanceState.STARTING;
    }

    /**
     * The replica as the SPI reports it.
     *
     * @param port            where its container listens
     * @param currentTemplate the {@link Labels#TEMPLATE_DIGEST} of its workload's template now, or null when the
     *                        workload has none (written before EMP stamped templates)
     */
    InstanceStatus instance(int port, String currentTemplate) {
        String message = switch (state()) {
            case STOPPING -> "terminating";
            case CRASHED -> problem;
            case READY -> null;
            case STARTING -> {
                if (waiting != null) {
                    yield "waiting: " + waiting;
                }
                yield "Running".equals(phase)
                        ? "running; waiting for its readiness probe"
                        : "pod " + phase.toLowerCase(Locale.ROOT) + "; waiting to be scheduled and started";
            }
        };
        return new InstanceStatus(
                name,
                state(),
                endpoint(port),
                OptionalLong.empty(),
                restarts,
                since,
                message,
                outdated(currentTemplate));
    }

    /**
     * Whether the pod was made from another template than its workload's now: during a rollout, one of the older
     * ReplicaSet or revision, which Kubernetes replaces. A pod without a digest under a workload with one predates its
     * template; when neither has one (both made before EMP stamped templates), the pod is taken as current.
     */
    boolean outdated(String currentTemplate) {
        return !Objects.equals(template, currentTemplate);
    }

    /** {@code http://<pod IP>:<port>}, once the pod has an address. */
    URI endpoint(int port) {
        if (podIp == null || podIp.isBlank()) {
            return null;
        }
        String host = podIp.contains(":") ? "[" + podIp + "]" : podIp;
        return URI.create("http://" + host + ":" + port);
    }

    /**
     * What happened between {@code prior} and this look at the pod: a restart, a new failure, becoming ready.
     *
     * @param prior the previous look, or null for a pod seen for the first time
     */
    List<ClusterEvent> changesSince(Replica prior, int port, Instant now) {
        List<ClusterEvent> events = new ArrayList<>();
        if (deleting) {
            return events;
        }
        if (prior != null && restarts > prior.restarts) {
            events.add(new ClusterEvent(
                    app,
                    name,
                    ClusterEvent.Type.RESTARTED,
                    "replica " + name + " was restarted by Kubernetes (restart " + restarts + ")"
                            + (lastExit == null ? "" : " after its container exited with " + lastExit),
                    now));
        }
        if (crashKey != null && (prior == null || !crashKey.equals(prior.crashKey))) {
            events.add(new ClusterEvent(
                    app,
                    name,
                    ClusterEvent.Type.CRASHED,
                    "replica " + name + " is failing: " + problem + " (" + restarts + " restart"
                            + (restarts == 1 ? "" : "s") + ")",
                    now));
        }
        if (ready && (prior == null || !prior.ready)) {
            URI endpoint = endpoint(port);
            events.add(new ClusterEvent(
                    app,
                    name,
                    ClusterEvent.Type.READY,
                    "replica " + name + " is ready" + (endpoint == null ? "" : " at " + endpoint),
                    now));
        }
        return events;
    }

    /** The app's container: the one named {@value AppObjects#CONTAINER}, else the first. */
    private static ContainerStatus container(PodStatus status) {
        if (status == null
                || status.getContainerStatuses() == null
                || status.getContainerStatuses().isEmpty()) {
            return null;
        }
        return status.getContainerStatuses().stream()
                .filter(container -> AppObjects.CONTAINER.equals(container.getName()))
                .findFirst()
                .orElse(status.getContainerStatuses().get(0));
    }

    private static String exit(ContainerStateTerminated terminated) {
        if (terminated == null) {
            return null;
        }
        return "code " + terminated.getExitCode()
                + (terminated.getReason() == null ? "" : " (" + terminated.getReason() + ")");
    }

    private static boolean condition(PodStatus status, String type) {
        return status != null
                && status.getConditions() != null
                && status.getConditions().stream()
                        .anyMatch(
                                condition -> type.equals(condition.getType()) && "True".equals(condition.getStatus()));
    }

    private static Optional<Instant> readySince(PodStatus status) {
        return status.getConditions().stream()
                .filter(condition -> "Ready".equals(condition.getType()))
                .map(PodCondition::getLastTransitionTime)
                .findFirst()
                .flatMap(Replica::parse);
    }

    private static Optional<Instant> parse(String time) {
        if (time == null || time.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(time));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
