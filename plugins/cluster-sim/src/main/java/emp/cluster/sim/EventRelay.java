package emp.cluster.sim;

import static java.util.Objects.requireNonNull;

import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.ClusterListener;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the replicas' events to the listeners, in the order they happened, on the simulation's one thread and never
 * under the cluster's lock: events raised by a caller's {@code deploy} wait for that thread too, as the SPI asks that
 * listeners be called from the manager's own threads. Thread-safe.
 */
final class EventRelay {
    private static final Logger log = LoggerFactory.getLogger(EventRelay.class);

    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final Queue<ClusterEvent> queue = new ConcurrentLinkedQueue<>();
    /** Whether a delivery is queued on the thread that has not begun yet. */
    private final AtomicBoolean queued = new AtomicBoolean();

    private volatile Executor thread;

    void watch(ClusterListener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    /** Delivers from now on with {@code executor}, which runs one task at a time. */
    void attach(Executor executor) {
        this.thread = requireNonNull(executor, "executor is null");
    }

    void emit(ClusterEvent event) {
        Executor executor = thread;
        if (executor == null || listeners.isEmpty()) {
            return;
        }
        queue.add(event);
        if (!queued.getAndSet(true)) {
            try {
                executor.execute(this::deliver);
            } catch (RejectedExecutionException e) {
                // Closing: nobody is told any more.
                queue.clear();
            }
        }
    }

    private void deliver() {
        // Before draining, so that an event added while this runs queues another delivery rather than waiting.
        queued.set(false);
        ClusterEvent event;
        while ((event = queue.poll()) != null) {
            for (ClusterListener listener : listeners) {
                try {
                    listener.onEvent(event);
                } catch (RuntimeException e) {
                    log.warn(
                            "a cluster listener failed on the event of replica '{}' of app '{}' ({})",
                            event.instance(),
                            event.app(),
                            e.toString());
                }
            }
        }
    }
}
