package emp.cluster.sim;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.InstanceState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulation: apps, their replicas and the nodes they take room on, driven towards what was deployed. Time passes
 * on one scheduler thread: a replica's start, its restart after a crash and the end of its stop are each one timer
 * on that thread, and nothing else runs. Thread-safe: one lock guards everything; timers take it when they fire.
 */
final class SimCluster {
    private static final Logger log = LoggerFactory.getLogger(SimCluster.class);

    private final SimClusterConfig config;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final EventRelay events;
    private final StartDraws draws;
    private final long stopMillis;

    private final Object lock = new Object();
    private final NodePool nodes;
    private final Map<AppRef, SimApp> apps = new HashMap<>();
    /** The number of each app's next new replica; kept across removals so ids are never reused in a run. */
    private final Map<AppRef, Integer> nextIndex = new HashMap<>();
    /** Replicas that fitted no node, oldest first; each room given back has them tried again. */
    private final Set<SimReplica> pending = new LinkedHashSet<>();
    /** Whether a pass over {@link #pending} is queued on the scheduler. */
    private boolean placing;

    private boolean closed;

    SimCluster(SimClusterConfig config, Clock clock, ScheduledExecutorService scheduler, EventRelay events) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.events = requireNonNull(events, "events is null");
        this.draws = new StartDraws(config.seed(), config.startLatency(), config.startJitter());
        this.stopMillis = config.stopLatency().toMillis();
        this.nodes = new NodePool(config.nodes(), config.nodeMillicores(), config.nodeMemoryMib());
    }

    /** Has the app run the deployment: creates, rolls, scales, or does nothing when it matches already. */
    void deploy(AppDeployment deployment, Release release) {
        synchronized (lock) {
            SimApp app = apps.computeIfAbsent(deployment.app(), SimApp::new);
            Release next = app.canonical(release);
            if (next != app.release) {
                log.debug("deploying app '{}' with {} replica(s)", app.ref, deployment.replicas());
            }
            app.release = next;
            app.desired = deployment.replicas();
            app.rollout = deployment.spec().effectiveRollout();
            converge(app);
        }
    }

    /** Sets the app's replica count; false when the app is not deployed. */
    boolean scale(AppRef ref, int replicas) {
        synchronized (lock) {
            SimApp app = apps.get(ref);
            if (app == null) {
                return false;
            }
            app.desired = replicas;
            converge(app);
            return true;
        }
    }

    /** Forgets the app at once and stops its replicas, which give their room back once stopped. */
    void remove(AppRef ref) {
        synchronized (lock) {
            SimApp app = apps.remove(ref);
            if (app == null) {
                return;
            }
            log.debug("removing app '{}'", ref);
            for (SimReplica replica : List.copyOf(app.replicas)) {
                if (replica.state != InstanceState.STOPPING) {
                    stop(replica);
                }
            }
        }
    }

    /** Calls {@code reader} with the app under the lock; with null when it is not deployed. */
    <T> T read(AppRef ref, Function<SimApp, T> reader) {
        synchronized (lock) {
            return reader.apply(apps.get(ref));
        }
    }

    Set<AppRef> apps() {
        synchronized (lock) {
            return Set.copyOf(apps.keySet());
        }
    }

    /** {@code 400 nodes of 4 cpus and 8192 MiB (12 idle); 3 app(s), 5 of 7 replica(s) ready, 1 pending}. */
    String summary() {
        synchronized (lock) {
            long replicas = 0;
            long ready = 0;
            for (SimApp app : apps.values()) {
                replicas += app.replicas.size();
                for (SimReplica replica : app.replicas) {
                    if (replica.state == InstanceState.READY) {
                        ready++;
                    }
                }
            }
            return nodes.size() + " nodes of " + nodes.capacity() + " (" + nodes.idle() + " idle); " + apps.size()
                    + " app(s), " + ready + " of " + replicas + " replica(s) ready, " + pending.size() + " pending";
        }
    }

    /** Stops the simulation; the scheduler is shut down by the caller. */
    void close() {
        synchronized (lock) {
            closed = true;
            apps.clear();
            pending.clear();
        }
    }

    // ---- convergence; every method below runs with the lock held ----

    /**
     * Starts and stops replicas until the app runs {@code desired} replicas of its current release. Replicas of an
     * older release keep serving until enough of the current one are ready to take their place, as the spec's
     * {@code rollout} allows: at most {@code max_surge} replicas beyond the wanted count, at most
     * {@code max_unavailable} fewer serving.
     */
    private void converge(SimApp app) {
        List<SimReplica> current = new ArrayList<>(app.replicas.size());
        List<SimReplica> old = new ArrayList<>();
        for (SimReplica replica : app.replicas) {
            if (replica.state != InstanceState.STOPPING) {
                (replica.outdated() ? old : current).add(replica);
            }
        }
        while (current.size() > app.desired) {
            SimReplica replica = leastUseful(current);
            current.remove(replica);
            stop(replica);
        }
        long ready =
                current.stream().filter(r -> r.state == InstanceState.READY).count();
        long keep = Math.max(0, app.desired - app.rollout.unavailable(app.desired) - ready);
        for (Iterator<SimReplica> each = old.iterator(); each.hasNext(); ) {
            SimReplica replica = each.next();
            if (keep > 0 && replica.state == InstanceState.READY) {
                keep--;
            } else {
                stop(replica);
                each.remove();
            }
        }
        int room = old.isEmpty() ? Integer.MAX_VALUE : app.desired + app.rollout.surge(app.desired) - old.size();
        while (current.size() < app.desired && current.size() < room) {
            int index = nextIndex.merge(app.ref, 1, Integer::sum);
            SimReplica replica = new SimReplica(app, index, app.release, clock.millis());
            app.replicas.add(replica);
            current.add(replica);
            place(replica);
        }
    }

    /** The replica to stop first when there are too many: one waiting for room, then crashed, then starting; newest. */
    private static SimReplica leastUseful(List<SimReplica> replicas) {
        SimReplica choice = null;
        for (SimReplica replica : replicas) {
            if (choice == null || rank(replica) <= rank(choice)) {
                choice = replica;
            }
        }
        return choice;
    }

    private static int rank(SimReplica replica) {
        if (!replica.placed()) {
            return 0;
        }
        return switch (replica.state) {
            case CRASHED -> 1;
            case STARTING -> 2;
            default -> 3;
        };
    }

    /** Puts a new replica on the roomiest node that fits it and starts it there, or has it wait for room. */
    private void place(SimReplica replica) {
        NodePool.Node node = nodes.take(replica.release.sim().demand());
        if (node == null) {
            replica.enter(InstanceState.STARTING, clock.millis(), "pending: " + whyNot(replica));
            pending.add(replica);
            return;
        }
        replica.node = node;
        launch(replica);
    }

    private String whyNot(SimReplica replica) {
        return nodes.whyNot(replica.app.ref.toString(), replica.release.sim().demand());
    }

    /** Starts the placed replica: it becomes ready, or crashes, once its drawn latency has passed. */
    private void launch(SimReplica replica) {
        StartDraws.Draw draw = draws.draw(
                replica.app.ref,
                replica.index,
                replica.restarts,
                replica.release.sim().crashProbability());
        replica.latencyMillis = draw.latencyMillis();
        replica.crashes = draw.crashes();
        replica.enter(InstanceState.STARTING, clock.millis(), null);
        later(replica, draw.latencyMillis());
    }

    /** A timer of the replica's has fired: its start ended, its back-off passed, or its stop ended. */
    private void advance(SimReplica replica, int epoch) {
        synchronized (lock) {
            if (closed || replica.epoch != epoch) {
                return;
            }
            switch (replica.state) {
                case STARTING -> started(replica);
                case CRASHED -> restart(replica);
                case STOPPING -> gone(replica, "replica " + replica.id() + " stopped");
                default -> {}
            }
        }
    }

    private void started(SimReplica replica) {
        if (replica.crashes) {
            crashed(replica);
            return;
        }
        replica.enter(InstanceState.READY, clock.millis(), null);
        replica.crashesInARow = 0;
        emit(
                replica,
                ClusterEvent.Type.READY,
                "replica " + replica.id() + " is ready on " + replica.node.name() + " (started in "
                        + replica.latencyMillis + "ms)");
        if (apps.get(replica.app.ref) == replica.app) {
            converge(replica.app);
        }
    }

    private void crashed(SimReplica replica) {
        String what = "crashed as it started on " + replica.node.name() + " (simulated, with a chance of "
                + Demand.number(replica.release.sim().crashProbability()) + ")";
        if (replica.outdated() || apps.get(replica.app.ref) != replica.app) {
            emit(
                    replica,
                    ClusterEvent.Type.CRASHED,
                    "replica " + replica.id() + " " + what
                            + "; not restarted, as replicas of the app's new spec replace it");
            dropOutdated(replica);
            return;
        }
        replica.crashesInARow++;
        long delay = config.restartDelayMillis(replica.crashesInARow);
        replica.enter(InstanceState.CRASHED, clock.millis(), what + "; restarting in " + human(delay));
        emit(replica, ClusterEvent.Type.CRASHED, "replica " + replica.id() + " " + replica.message);
        later(replica, delay);
    }

    private void restart(SimReplica replica) {
        if (replica.outdated() || apps.get(replica.app.ref) != replica.app) {
            dropOutdated(replica);
            return;
        }
        replica.restarts++;
        launch(replica);
        emit(
                replica,
                ClusterEvent.Type.RESTARTED,
                "replica " + replica.id() + " restarted on " + replica.node.name() + " (restart " + replica.restarts
                        + ")");
    }

    /** Stops the replica: it shows as stopping, holding its room, for the stop latency; a pending one goes at once. */
    private void stop(SimReplica replica) {
        if (!replica.placed() || stopMillis == 0) {
            gone(
                    replica,
                    replica.placed()
                            ? "replica " + replica.id() + " stopped"
                            : "replica " + replica.id() + " was stopped before any node had room for it");
            return;
        }
        replica.enter(InstanceState.STOPPING, clock.millis(), null);
        later(replica, stopMillis);
    }

    /**
     * The replica is no more: its room is free, its app forgets it, and listeners hear it stopped. Never converges:
     * called from {@link #converge} itself.
     */
    private void gone(SimReplica replica, String message) {
        drop(replica);
        emit(replica, ClusterEvent.Type.STOPPED, message);
    }

    private void drop(SimReplica replica) {
        replica.epoch++;
        replica.app.replicas.remove(replica);
        if (replica.placed()) {
            nodes.give(replica.node, replica.release.sim().demand());
            replica.node = null;
            placeLater();
        } else {
            pending.remove(replica);
        }
    }

    /** Drops a replica that crashed while its app moved on, and starts what the app wants instead. */
    private void dropOutdated(SimReplica replica) {
        drop(replica);
        if (apps.get(replica.app.ref) == replica.app) {
            converge(replica.app);
        }
    }

    /** Queues one pass over the pending replicas, now that room was given back. */
    private void placeLater() {
        if (placing || pending.isEmpty()) {
            return;
        }
        placing = true;
        try {
            scheduler.execute(this::placePending);
        } catch (RejectedExecutionException e) {
            // Closing: nothing is placed any more.
        }
    }

    /** Places the pending replicas that fit now, oldest first; the others say again why they wait. */
    private void placePending() {
        synchronized (lock) {
            placing = false;
            if (closed) {
                return;
            }
            Map<SimApp, String> why = new HashMap<>();
            for (Iterator<SimReplica> each = pending.iterator(); each.hasNext(); ) {
                SimReplica replica = each.next();
                NodePool.Node node = nodes.take(replica.release.sim().demand());
                if (node == null) {
                    replica.message = "pending: " + why.computeIfAbsent(replica.app, app -> whyNot(replica));
                    continue;
                }
                each.remove();
                replica.node = node;
                launch(replica);
            }
        }
    }

    private void later(SimReplica replica, long delayMillis) {
        int epoch = replica.epoch;
        try {
            scheduler.schedule(() -> advance(replica, epoch), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closing: time has stopped.
        }
    }

    /** {@code 500ms}, {@code 2s}, {@code 1.5s}. */
    private static String human(long millis) {
        return millis < 1000 ? millis + "ms" : Demand.number(millis / 1000.0) + "s";
    }

    private void emit(SimReplica replica, ClusterEvent.Type type, String message) {
        events.emit(
                new ClusterEvent(replica.app.ref, replica.id(), type, message, Instant.ofEpochMilli(clock.millis())));
    }
}
