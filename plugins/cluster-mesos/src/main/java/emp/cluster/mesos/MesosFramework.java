package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.gateway.GatewayRoutes;
import emp.spi.AppRef;
import emp.spi.PlatformException;
import emp.spi.PluginState;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.ClusterListener;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.mesos.v1.Protos.FrameworkID;

/**
 * EMP's Mesos framework: what each app should run, the tasks it runs, and the decisions that bring the two together,
 * as Marathon makes them. This is the side {@link MesosClusterManager} talks to: its changes are recorded and left to
 * the decider, and its reads take the lock only. What is known lives in the {@link FrameworkBook}, under its one lock;
 * every decision is taken on one thread of its own, the {@link FrameworkDecider}, in the order events came: offers are
 * fitted with the tasks wanted, status updates are recorded ({@link TaskUpdates}) and then acknowledged, failed tasks
 * are replaced after a back-off, surplus and outdated tasks are killed. The master is asked for offers (REVIVE) only
 * while a task is wanted, and told to stop (SUPPRESS) otherwise.
 *
 * <p>What survives a restart lives in the {@link PluginState} ({@link FrameworkMemory}): the framework's id (so that
 * a new subscription fails over to the running framework and its tasks), each task's placement (Mesos' status updates
 * name only the task and its agent), and each agent's address. After each subscription every known task is reconciled
 * with the master.
 */
final class MesosFramework implements AutoCloseable {
    private final MesosClusterConfig config;
    private final Clock clock;
    private final TaskFactory factory;
    private final FrameworkBook book;
    private final FrameworkEvents events;
    private final FrameworkDecider decider;
    private final SchedulerConnection connection;

    /**
     * @param dependencyUrls for an owner, where the owner's app of a name is called from a task ({@code <DEP>_URL})
     */
    MesosFramework(
            MesosClusterConfig config,
            Clock clock,
            PluginState state,
            GatewayRoutes routes,
            Function<String, Function<String, URI>> dependencyUrls) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        FrameworkMemory memory = new FrameworkMemory(state);
        this.book = new FrameworkBook(memory, requireNonNull(routes, "routes is null"));
        requireNonNull(dependencyUrls, "dependencyUrls is null");
        this.factory = new TaskFactory(config);
        this.events = new FrameworkEvents(clock);
        TaskUpdates updates = new TaskUpdates(config, clock, book, memory, events);
        this.decider = new FrameworkDecider(config, clock, book, memory, updates, events, factory, dependencyUrls);
        this.connection = decider.connection();
    }

    void start() {
        decider.start();
    }

    void watch(ClusterListener listener) {
        events.watch(listener);
    }

    TaskFactory factory() {
        return factory;
    }

    SchedulerConnection connection() {
        return connection;
    }

    // ---- what the manager asks; each returns at once and leaves the work to the decider ----

    /**
     * Subscribes, once: reads what an earlier server kept (the framework's id, its tasks and agents) and opens the
     * subscription, which fails over to the running framework.
     *
     * @throws PlatformException of category UNAVAILABLE when the state store cannot be read
     */
    void connect() {
        synchronized (book.lock) {
            book.load();
            if (!connection.connecting()) {
                // Out of reach is counted from the first attempt, not from when this manager was made.
                book.unsubscribedSince = clock.instant();
            }
        }
        connection.connect();
    }

    /** Gives up the subscription and forgets what it knew: another server drives the framework now. */
    void disconnect() {
        connection.disconnect();
        synchronized (book.lock) {
            book.forget();
        }
    }

    /** Records what the app should run, and has the decider act on it. */
    void deploy(AppDeployment deployment) {
        synchronized (book.lock) {
            MesosApp app = book.apps.get(deployment.app());
            String revision = factory.revision(deployment);
            if (app == null) {
                app = new MesosApp(deployment.app(), deployment, revision);
                book.apps.put(app.ref, app);
            } else {
                if (!revision.equals(app.revision)) {
                    // A new spec starts without the old one's failures.
                    app.failures = 0;
                    app.nextLaunch = Instant.MIN;
                    app.crashed.clear();
                }
                app.deployment = deployment;
                app.revision = revision;
            }
            book.updateRoute(app);
        }
        decide();
    }

    /** Sets the app's replica count; false when the app is not known. */
    boolean scale(AppRef ref, int replicas) {
        synchronized (book.lock) {
            MesosApp app = book.apps.get(ref);
            if (app == null) {
                return false;
            }
            AppDeployment was = app.deployment;
            app.deployment = was.withReplicas(replicas);
            book.updateRoute(app);
        }
        decide();
        return true;
    }

    /** Forgets the app; the decider kills its tasks. */
    void remove(AppRef ref) {
        synchronized (book.lock) {
            book.removeApp(ref);
        }
        decide();
    }

    /** Has the decider look at every app soon. */
    void decide() {
        decider.decide();
    }

    /** What is known of the app now, for {@code status}. */
    Optional<Snapshot> snapshot(AppRef ref) {
        synchronized (book.lock) {
            MesosApp app = book.apps.get(ref);
            List<MesosTask> own = book.tasksOf(ref);
            if (app == null && own.isEmpty()) {
                return Optional.empty();
            }
            List<emp.spi.cluster.InstanceStatus> instances = new ArrayList<>();
            String revision = app == null ? null : app.revision;
            own.forEach(task -> instances.add(task.status(revision)));
            String message = null;
            if (app != null) {
                app.crashed.forEach(task -> instances.add(task.status(revision)));
                message = app.unplaceable;
            }
            if (connection.connecting() && !connection.subscribed()) {
                message = "the Mesos master at " + config.master() + " cannot be reached (" + connection.problem()
                        + "); the tasks as last reported";
            }
            return Optional.of(new Snapshot(app != null, app == null ? 0 : app.desired(), instances, message));
        }
    }

    /** What {@link #snapshot} tells of one app. */
    record Snapshot(boolean deployed, int desired, List<emp.spi.cluster.InstanceStatus> instances, String message) {}

    /** The apps EMP runs tasks of, or means to. */
    Set<AppRef> apps() {
        synchronized (book.lock) {
            Set<AppRef> all = new java.util.HashSet<>(book.apps.keySet());
            book.tasks.values().forEach(task -> all.add(task.app));
            return all;
        }
    }

    boolean knows(AppRef ref) {
        synchronized (book.lock) {
            return book.apps.containsKey(ref);
        }
    }

    /** The tasks whose sandboxes hold the app's logs: those running and those that failed last. */
    List<TaskPlace> logPlaces(AppRef ref) {
        synchronized (book.lock) {
            List<TaskPlace> places = new ArrayList<>();
            MesosApp app = book.apps.get(ref);
            if (app != null) {
                app.crashed.forEach(task -> places.add(place(task)));
            }
            book.tasksOf(ref).forEach(task -> places.add(place(task)));
            return places;
        }
    }

    /** Where one task's sandbox is: its agent's URL (null when not known) and the framework's id. */
    record TaskPlace(String taskId, String agentId, URI agent, String frameworkId) {}

    /** Counts for the health check: apps, tasks, ready tasks. */
    int[] counts() {
        synchronized (book.lock) {
            int ready = 0;
            for (MesosTask task : book.tasks.values()) {
                ready += task.ready() ? 1 : 0;
            }
            return new int[] {book.apps.size(), book.tasks.size(), ready};
        }
    }

    Optional<String> frameworkId() {
        synchronized (book.lock) {
            return Optional.ofNullable(book.frameworkId).map(FrameworkID::getValue);
        }
    }

    /** Whether the master has been out of reach for longer than {@code grace} while EMP wants it. */
    boolean unreachableFor(Duration grace) {
        synchronized (book.lock) {
            return connection.connecting()
                    && !connection.subscribed()
                    && book.unsubscribedSince != null
                    && clock.instant().isAfter(book.unsubscribedSince.plus(grace));
        }
    }

    @Override
    public void close() {
        decider.close();
    }

    /** Called with the lock held. */
    private TaskPlace place(MesosTask task) {
        return new TaskPlace(
                task.id,
                task.agentId,
                book.agents.get(task.agentId),
                book.frameworkId == null ? null : book.frameworkId.getValue());
    }
}
