package emp.cluster.kubernetes;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.ClusterListener;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the informers see change into {@link ClusterEvent}s: a pod that became ready, was restarted, fails with
 * the reason Kubernetes gives, or was deleted; a Deployment whose conditions say it makes no pods. Each event is logged,
 * then handed to the listeners in order, from one thread of its own, so that a slow listener holds up no informer.
 *
 * <p>Holds the last look at each pod, by uid, to tell what changed; made at each start of the manager, closed with it.
 */
final class ClusterEvents {
    private static final Logger log = LoggerFactory.getLogger(ClusterEvents.class);

    private final Clock clock;
    private final List<ClusterListener> listeners;
    private final Map<String, Replica> replicas = new ConcurrentHashMap<>();
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(runnable -> {
        Thread events = new Thread(runnable, "cluster-kubernetes-events");
        events.setDaemon(true);
        return events;
    });

    /** @param listeners the manager's listeners, which may grow while events flow */
    ClusterEvents(Clock clock, List<ClusterListener> listeners) {
        this.clock = requireNonNull(clock, "clock is null");
        this.listeners = requireNonNull(listeners, "listeners is null");
    }

    /** Turns each change of a pod into the events it means; runs on the pod informer's thread. */
    ResourceEventHandler<Pod> pods() {
        return new ResourceEventHandler<>() {
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
        };
    }

    private void look(Pod pod, boolean report) {
        Optional<AppRef> app = Labels.appOf(pod);
        if (app.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Replica replica = Replica.of(pod, app.get(), now);
        Replica prior = replicas.put(pod.getMetadata().getUid(), replica);
        if (report) {
            emit(replica.changesSince(prior, Workloads.containerPort(pod.getSpec()), now));
        }
    }

    /**
     * Reports the problems a Deployment's conditions name ({@link WorkloadConditions}) as they appear: a quota or an
     * admission controller refusing its pods leaves no pod whose events would say so.
     */
    ResourceEventHandler<Deployment> deployments() {
        return new ResourceEventHandler<>() {
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
                Labels.appOf(deployment)
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
        };
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

    /** Hands on what is queued, for two seconds at most, then stops. */
    void close() {
        notifier.shutdown();
        try {
            if (!notifier.awaitTermination(2, TimeUnit.SECONDS)) {
                notifier.shutdownNow();
            }
        } catch (InterruptedException e) {
            notifier.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops at once: the manager did not start, and nothing it saw is news. */
    void closeNow() {
        notifier.shutdownNow();
    }
}
