package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.ClusterListener;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Those watching EMP's framework, and how its events (a replica ready, crashed, restarted, stopped) reach them: each
 * listener in turn, on the caller's thread; one that fails is logged and the others still hear of it.
 */
final class FrameworkEvents {
    private static final Logger log = LoggerFactory.getLogger(FrameworkEvents.class);

    private final Clock clock;
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();

    FrameworkEvents(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    void watch(ClusterListener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    void emit(AppRef app, String instance, ClusterEvent.Type type, String message) {
        ClusterEvent event = new ClusterEvent(app, instance, type, message, clock.instant());
        for (ClusterListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("a cluster listener failed on an event of '{}'", app, e);
            }
        }
    }
}
