package emp.cluster.local;

import emp.gateway.GatewayRoutes;
import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.ClusterListener;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the local cluster runs: its apps and their replicas, the replicas of removed apps still stopping, how replicas
 * are numbered, where the cluster is in its life; and the three things that follow it: each app's state file (for a
 * server that dies to be followed by one that adopts its replicas), the gateway's route to each app's ready replicas,
 * and the events listeners hear.
 *
 * <p>{@link #lock} guards the lifecycle, the apps, the detached replicas and the numbering, and every field of each
 * {@link LocalApp} and {@link Replica}; each part of the cluster works on them with the lock held, and what the parts
 * run on their threads takes the lock first. {@link #routes} and the listeners are thread-safe themselves: the
 * gateway's event loops read the routes, and listeners are called in order from one thread of the cluster's.
 */
final class ClusterState {
    private static final Logger log = LoggerFactory.getLogger(ClusterState.class);

    enum Lifecycle {
        NEW,
        STARTED,
        CLOSING,
        CLOSED,
        /** Let go of without stopping its replicas, as by a server that is killed (tests of adoption only). */
        ABANDONED
    }

    final Object lock = new Object();
    Lifecycle lifecycle = Lifecycle.NEW;
    final Map<AppRef, LocalApp> apps = new LinkedHashMap<>();
    /** Replicas of removed apps that are still stopping. */
    final Set<Replica> detached = new HashSet<>();
    /** What the gateway routes by: each app's ready replicas, and those of the apps other servers run. */
    final GatewayRoutes routes = new GatewayRoutes();
    /** The number of each app's next new replica; kept across removals so ids are never reused in a run. */
    private final Map<AppRef, Integer> nextIndex = new HashMap<>();

    private final Clock clock;
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    /** One thread, so that listeners hear of events in order; set as the cluster starts. */
    private volatile Executor notifier;

    ClusterState(Clock clock) {
        this.clock = clock;
    }

    boolean started() {
        return lifecycle == Lifecycle.STARTED;
    }

    void requireStarted() {
        if (lifecycle != Lifecycle.STARTED) {
            throw new PlatformException(
                    ErrorCategory.UNAVAILABLE,
                    lifecycle == Lifecycle.NEW
                            ? "the local cluster is not started yet; try again in a moment"
                            : "the local cluster is closed; the server is shutting down");
        }
    }

    /** The app the replica is one of, or null when it is not one of a deployed app's replicas any more. */
    LocalApp appOf(Replica replica) {
        LocalApp app = apps.get(replica.app);
        return app != null && app.replicas.contains(replica) ? app : null;
    }

    /** Every replica: the detached ones, then each app's. */
    List<Replica> replicas() {
        List<Replica> all = new ArrayList<>(detached);
        apps.values().forEach(app -> all.addAll(app.replicas));
        return all;
    }

    /** The number of the app's next new replica, taken. */
    int takeIndex(AppRef ref) {
        int index = nextIndex.getOrDefault(ref, 1);
        nextIndex.put(ref, index + 1);
        return index;
    }

    /** Makes sure the app's new replicas are numbered {@code next} or higher. */
    void reserveIndex(AppRef ref, int next) {
        nextIndex.merge(ref, next, Math::max);
    }

    /** Takes the app out of the cluster, its route and its state file; returns it, or null when it was not in. */
    LocalApp remove(AppRef ref) {
        LocalApp app = apps.remove(ref);
        routes.remove(ref);
        if (app != null) {
            try {
                Files.deleteIfExists(app.stateFile());
            } catch (IOException e) {
                log.warn(
                        "cannot delete '{}' ({}); the next start will find app '{}' with no replicas",
                        app.stateFile(),
                        e.toString(),
                        ref);
            }
        }
        return app;
    }

    /** Writes the app's state file, while it is one of the cluster's apps. */
    void persist(LocalApp app) {
        if (apps.get(app.ref) != app || lifecycle == Lifecycle.ABANDONED) {
            return;
        }
        List<AppStateFile.Entry> entries = app.replicas.stream()
                .filter(replica -> replica.handle != null)
                .map(replica -> new AppStateFile.Entry(
                        replica.id,
                        replica.index,
                        replica.handle.pid(),
                        replica.processStarted,
                        replica.port,
                        replica.fingerprint,
                        replica.restarts))
                .toList();
        AppStateFile state = new AppStateFile(
                app.ref,
                app.desired,
                app.fingerprint,
                app.healthPath,
                app.stateless,
                nextIndex.getOrDefault(app.ref, 1),
                entries);
        try {
            state.write(app.stateFile());
        } catch (IOException e) {
            log.warn(
                    "cannot write the state of app '{}' to '{}' ({}); if the server dies, its replicas will not be adopted",
                    app.ref,
                    app.stateFile(),
                    e.toString());
        }
    }

    /** Routes the app's requests to its replicas ready now, while it is one of the cluster's apps. */
    void route(LocalApp app) {
        if (apps.get(app.ref) != app || !started()) {
            return;
        }
        routes.put(app.ref, app.route());
    }

    void watch(ClusterListener listener) {
        listeners.add(listener);
    }

    void notifyOn(Executor singleThread) {
        notifier = singleThread;
    }

    /** Tells the listeners, on the notifier's thread, so that a slow one holds up nothing under the lock. */
    void emit(Replica replica, ClusterEvent.Type type, String message) {
        ClusterEvent event = new ClusterEvent(replica.app, replica.id, type, message, clock.instant());
        try {
            notifier.execute(() -> {
                for (ClusterListener listener : listeners) {
                    try {
                        listener.onEvent(event);
                    } catch (RuntimeException e) {
                        log.warn("a cluster listener failed on event '{}'", message, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // Closed: nobody listens any more.
        }
    }
}
