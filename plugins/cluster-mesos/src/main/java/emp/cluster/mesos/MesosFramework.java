package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.gateway.Backend;
import emp.gateway.GatewayRoutes;
import emp.spi.AppRef;
import emp.spi.PlatformException;
import emp.spi.PluginState;
import emp.spi.app.AppSpec;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.ClusterListener;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EMP's Mesos framework: what each app should run, the tasks it runs, and the decisions that bring the two together,
 * as Marathon makes them. Every decision is taken on one thread of its own (the decider), in the order events came:
 * offers are fitted with the tasks wanted, status updates are recorded and then acknowledged, failed tasks are
 * replaced after a back-off, surplus and outdated tasks are killed. The master is asked for offers (REVIVE) only while
 * a task is wanted, and told to stop (SUPPRESS) otherwise. Reads ({@link #snapshot}) take the lock only.
 *
 * <p>What survives a restart lives in the {@link PluginState}: the framework's id (so that a new subscription fails
 * over to the running framework and its tasks), each task's placement (Mesos' status updates name only the task and its
 * agent), and each agent's address. After each subscription every known task is reconciled with the master.
 */
final class MesosFramework implements SchedulerConnection.Listener, AutoCloseable {
    /** How often the decider looks again without being asked: back-offs ending, tasks unconfirmed. */
    static final Duration TICK = Duration.ofSeconds(1);
    /** A launched task the master has said nothing of for this long is reconciled explicitly. */
    static final Duration UNCONFIRMED_AFTER = Duration.ofSeconds(10);
    /** While a wanted task fits no offer, offers are declined for only this long, to see the others soon. */
    static final Duration SHORT_REFUSAL = Duration.ofSeconds(2);
    /** Failed tasks whose sandboxes {@code emp logs} still reads, per app. */
    static final int ENDED_KEPT = 5;

    private static final Logger log = LoggerFactory.getLogger(MesosFramework.class);

    private final MesosClusterConfig config;
    private final Clock clock;
    private final FrameworkMemory memory;
    private final TaskFactory factory;
    private final GatewayRoutes routes;
    private final Function<String, Function<String, URI>> dependencyUrls;
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final SchedulerConnection connection;
    private final ScheduledExecutorService decider;

    private final Object lock = new Object();
    private final Map<AppRef, MesosApp> apps = new HashMap<>();
    private final Map<String, MesosTask> tasks = new LinkedHashMap<>();
    /** Each agent's base URL, {@code http://host:5051}, for its files. */
    private final Map<String, URI> agents = new HashMap<>();

    private FrameworkID frameworkId;
    private boolean loaded;
    private boolean suppressed;
    private Instant unsubscribedSince;

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
        this.memory = new FrameworkMemory(state);
        this.routes = requireNonNull(routes, "routes is null");
        this.dependencyUrls = requireNonNull(dependencyUrls, "dependencyUrls is null");
        this.factory = new TaskFactory(config);
        this.connection = new SchedulerConnection(config, this::frameworkInfo, this);
        this.decider = Executors.newSingleThreadScheduledExecutor(Threads.named("cluster-mesos-decider"));
    }

    void start() {
        decider.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    void watch(ClusterListener listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
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
        synchronized (lock) {
            if (!loaded) {
                load();
                loaded = true;
            }
            if (!connection.connecting()) {
                // Out of reach is counted from the first attempt, not from when this manager was made.
                unsubscribedSince = clock.instant();
            }
        }
        connection.connect();
    }

    /** Gives up the subscription and forgets what it knew: another server drives the framework now. */
    void disconnect() {
        connection.disconnect();
        synchronized (lock) {
            apps.clear();
            tasks.clear();
            loaded = false;
            routes.clear();
        }
    }

    /** Records what the app should run, and has the decider act on it. */
    void deploy(AppDeployment deployment) {
        synchronized (lock) {
            MesosApp app = apps.get(deployment.app());
            String revision = factory.revision(deployment);
            if (app == null) {
                app = new MesosApp(deployment.app(), deployment, revision);
                apps.put(app.ref, app);
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
            updateRoute(app);
        }
        decide();
    }

    /** Sets the app's replica count; false when the app is not known. */
    boolean scale(AppRef ref, int replicas) {
        synchronized (lock) {
            MesosApp app = apps.get(ref);
            if (app == null) {
                return false;
            }
            AppDeployment was = app.deployment;
            app.deployment = new AppDeployment(ref, was.spec(), replicas, was.environment(), was.wakesOnDemand());
            updateRoute(app);
        }
        decide();
        return true;
    }

    /** Forgets the app; the decider kills its tasks. */
    void remove(AppRef ref) {
        synchronized (lock) {
            apps.remove(ref);
            routes.remove(ref);
        }
        decide();
    }

    /** What is known of the app now, for {@code status}. */
    Optional<Snapshot> snapshot(AppRef ref) {
        synchronized (lock) {
            MesosApp app = apps.get(ref);
            List<MesosTask> own = tasksOf(ref);
            if (app == null && own.isEmpty()) {
                return Optional.empty();
            }
            List<emp.spi.cluster.InstanceStatus> instances = new ArrayList<>();
            own.forEach(task -> instances.add(task.status()));
            String message = null;
            if (app != null) {
                app.crashed.forEach(task -> instances.add(task.status()));
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
        synchronized (lock) {
            Set<AppRef> all = new java.util.HashSet<>(apps.keySet());
            tasks.values().forEach(task -> all.add(task.app));
            return all;
        }
    }

    boolean knows(AppRef ref) {
        synchronized (lock) {
            return apps.containsKey(ref);
        }
    }

    /** The tasks whose sandboxes hold the app's logs: those running and those that failed last. */
    List<TaskPlace> logPlaces(AppRef ref) {
        synchronized (lock) {
            List<TaskPlace> places = new ArrayList<>();
            MesosApp app = apps.get(ref);
            if (app != null) {
                app.crashed.forEach(task -> places.add(place(task)));
            }
            tasksOf(ref).forEach(task -> places.add(place(task)));
            return places;
        }
    }

    /** Where one task's sandbox is: its agent's URL (null when not known) and the framework's id. */
    record TaskPlace(String taskId, String agentId, URI agent, String frameworkId) {}

    /** Counts for the health check: apps, tasks, ready tasks. */
    int[] counts() {
        synchronized (lock) {
            int ready = 0;
            for (MesosTask task : tasks.values()) {
                ready += task.ready() ? 1 : 0;
            }
            return new int[] {apps.size(), tasks.size(), ready};
        }
    }

    Optional<String> frameworkId() {
        synchronized (lock) {
            return Optional.ofNullable(frameworkId).map(FrameworkID::getValue);
        }
    }

    /** Whether the master has been out of reach for longer than {@code grace} while EMP wants it. */
    boolean unreachableFor(Duration grace) {
        synchronized (lock) {
            return connection.connecting()
                    && !connection.subscribed()
                    && unsubscribedSince != null
                    && clock.instant().isAfter(unsubscribedSince.plus(grace));
        }
    }

    @Override
    public void close() {
        connection.close();
        decider.shutdownNow();
        try {
            decider.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the connection's events, handed to the decider ----

    @Override
    public void subscribed(FrameworkID id) {
        onDecider(() -> onSubscribed(id));
    }

    @Override
    public void event(Event event) {
        switch (event.getType()) {
            case HEARTBEAT -> {
                // The connection watches heartbeats itself.
            }
            default -> onDecider(() -> onEvent(event));
        }
    }

    @Override
    public void disconnected(String why) {
        synchronized (lock) {
            unsubscribedSince = clock.instant();
        }
        log.warn("lost the subscription to the Mesos master at {}: {}", connection.endpoint(), why);
    }

    private void onDecider(Runnable work) {
        try {
            decider.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    log.error("the Mesos framework failed to handle an event", e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("the Mesos framework is closed; event dropped");
        }
    }

    /** Has the decider look at every app soon. */
    void decide() {
        onDecider(this::converge);
    }

    private void tick() {
        try {
            converge();
            reconcileUnconfirmed();
        } catch (RuntimeException e) {
            log.error("the Mesos framework's periodic pass failed", e);
        }
    }

    // ---- on the decider's thread ----

    private void onSubscribed(FrameworkID id) {
        List<Call> reconcile = new ArrayList<>();
        synchronized (lock) {
            boolean fresh = frameworkId == null || !frameworkId.equals(id);
            frameworkId = id;
            suppressed = false;
            unsubscribedSince = null;
            if (fresh) {
                memory.frameworkId(id);
            }
            log.info(
                    "subscribed to the Mesos master at {} as framework '{}'; reconciling {} task(s)",
                    connection.endpoint(),
                    id.getValue(),
                    tasks.size());
            if (!tasks.isEmpty()) {
                reconcile.add(Calls.reconcile(id, tasks.values()));
            }
            // Implicit: every task the master knows of this framework, so that none EMP forgot keeps running unseen.
            reconcile.add(Calls.reconcile(id, List.of()));
        }
        reconcile.forEach(this::send);
        converge();
    }

    private void onEvent(Event event) {
        switch (event.getType()) {
            case OFFERS -> onOffers(event.getOffers().getOffersList());
            case UPDATE -> onUpdate(event.getUpdate().getStatus());
            case RESCIND ->
                log.debug(
                        "offer '{}' rescinded", event.getRescind().getOfferId().getValue());
            case FAILURE -> {
                if (event.getFailure().hasAgentId() && !event.getFailure().hasExecutorId()) {
                    log.warn(
                            "Mesos agent '{}' is gone; its tasks are replaced as the master reports them lost",
                            event.getFailure().getAgentId().getValue());
                }
            }
            case ERROR -> onError(event.getError().getMessage());
            default -> log.debug("Mesos event {} ignored", event.getType());
        }
    }

    /** The master ended the subscription; a removed framework (torn down, or past its failover timeout) starts anew. */
    private void onError(String message) {
        if (!message.toLowerCase(java.util.Locale.ROOT).contains("removed")) {
            return;
        }
        log.warn(
                "the Mesos master removed EMP's framework ('{}'); registering a new one, whose tasks replace the old",
                message);
        synchronized (lock) {
            frameworkId = null;
            memory.forgetFrameworkId();
            for (MesosTask task : new ArrayList<>(tasks.values())) {
                ended(task, TaskState.TASK_LOST, "the framework was removed: " + message, false);
            }
        }
    }

    private void onOffers(List<Offer> offers) {
        List<OfferSpace> spaces = new ArrayList<>();
        Map<OfferSpace, List<TaskInfo>> launches = new LinkedHashMap<>();
        List<MesosTask> launched = new ArrayList<>();
        boolean stillWanted;
        synchronized (lock) {
            for (Offer offer : offers) {
                rememberAgent(offer);
                spaces.add(new OfferSpace(offer));
            }
            Instant now = clock.instant();
            List<Placement.Want> wants = new ArrayList<>();
            for (MesosApp app : apps.values()) {
                int missing = app.desired() - current(app).size();
                if (missing > 0 && !now.isBefore(app.nextLaunch)) {
                    AppSpec spec = app.deployment.spec();
                    wants.add(new Placement.Want(app.ref, missing, factory.cpus(spec), factory.memoryMb(spec)));
                }
            }
            wants.sort(Comparator.comparing(want -> want.app().toString()));
            Placement.Result placed = Placement.place(wants, spaces, this::running);
            for (Placement.Launch launch : placed.launches()) {
                MesosApp app = apps.get(launch.app());
                String id = TaskFactory.taskId(app.ref, app.revision);
                TaskInfo info =
                        factory.task(id, app, launch.space(), launch.hostPort(), dependencyUrls.apply(app.ref.owner()));
                MesosTask task = new MesosTask(
                        id,
                        app.ref,
                        app.revision,
                        launch.space().agentId(),
                        host(launch.space().offer),
                        launch.hostPort(),
                        now);
                tasks.put(id, task);
                launched.add(task);
                launches.computeIfAbsent(launch.space(), key -> new ArrayList<>())
                        .add(info);
                app.unplaceable = null;
                MesosTask replaced = app.crashed.pollFirst();
                if (replaced != null) {
                    emit(
                            app.ref,
                            replaced.id,
                            ClusterEvent.Type.RESTARTED,
                            "replica " + replaced.id + " replaced by " + id + " on agent " + task.host + " (failure "
                                    + app.failures + ")");
                }
            }
            placed.unplaceable().forEach((ref, why) -> apps.get(ref).unplaceable = why);
            stillWanted = !placed.unplaceable().isEmpty();
        }
        // Kept before the master hears of them, so that a server that dies now finds them on its next start.
        for (MesosTask task : launched) {
            memory.task(task);
        }
        Duration refusal = stillWanted ? SHORT_REFUSAL : config.offerRefusal();
        FrameworkID id = frameworkIdNow();
        for (OfferSpace space : spaces) {
            List<TaskInfo> infos = launches.get(space);
            if (infos == null) {
                send(Calls.decline(id, space.offer.getId(), refusal));
                continue;
            }
            log.info(
                    "launching {} task(s) on agent '{}' ({}): {}",
                    infos.size(),
                    space.agentId(),
                    space.offer.getHostname(),
                    infos.stream().map(info -> info.getTaskId().getValue()).toList());
            send(Calls.launch(id, space.offer.getId(), infos, SHORT_REFUSAL));
        }
    }

    /** How many of the app's tasks run (or start) on the agent. */
    private int running(AppRef app, String agentId) {
        int count = 0;
        for (MesosTask task : tasks.values()) {
            if (task.app.equals(app) && task.agentId.equals(agentId) && !task.terminal()) {
                count++;
            }
        }
        return count;
    }

    private void onUpdate(TaskStatus status) {
        String id = status.getTaskId().getValue();
        TaskState newState = status.getState();
        boolean terminal = MesosTask.TERMINAL.contains(newState);
        Call kill = null;
        synchronized (lock) {
            MesosTask task = tasks.get(id);
            if (task == null) {
                if (!terminal && id.startsWith(TaskFactory.TASK_ID_PREFIX) && status.hasAgentId()) {
                    // One of EMP's that no server kept: a launch whose record was lost. Nothing wants it.
                    log.warn("killing task '{}', which EMP does not know", id);
                    kill = Calls.kill(frameworkId, id, status.getAgentId().getValue());
                }
            } else {
                task.unconfirmed = false;
                boolean wasReady = task.ready();
                if (status.hasHealthy()) {
                    task.healthy = status.getHealthy();
                }
                if (task.state != newState) {
                    task.since = clock.instant();
                }
                task.state = newState;
                MesosApp app = apps.get(task.app);
                task.message = describe(status) + hint(status, app);
                if (terminal) {
                    ended(task, newState, task.message, invalidLaunch(status));
                } else if (task.ready() && !wasReady) {
                    if (app != null) {
                        app.failures = 0;
                        updateRoute(app);
                    }
                    emit(
                            task.app,
                            id,
                            ClusterEvent.Type.READY,
                            "replica " + id + " is ready at " + task.endpoint() + " on agent " + task.host);
                } else if (wasReady && !task.ready() && app != null) {
                    updateRoute(app);
                }
            }
        }
        if (kill != null) {
            send(kill);
        }
        // Acknowledged once recorded: the agent resends an update until it is, so none is lost across a crash.
        if (status.hasUuid()) {
            send(Calls.acknowledge(frameworkIdNow(), status));
        }
        if (terminal) {
            converge();
        }
    }

    /**
     * Forgets a task that ended. One EMP did not ask to end failed: the app's replacement waits a back-off that
     * doubles with each failure, and the crash is reported. A launch the master refused for its offer (rescinded or
     * used) is no failure of the app: it is launched again at once. Called with the lock held.
     */
    private void ended(MesosTask task, TaskState endState, String message, boolean invalidLaunch) {
        tasks.remove(task.id);
        memory.forgetTask(task.id);
        MesosApp app = apps.get(task.app);
        if (app != null) {
            updateRoute(app);
        }
        if (task.killRequested) {
            emit(task.app, task.id, ClusterEvent.Type.STOPPED, "replica " + task.id + " stopped (" + endState + ")");
            return;
        }
        if (app == null || !task.revision.equals(app.revision)) {
            return;
        }
        if (invalidLaunch) {
            log.info("task '{}' was not launched ({}); launching another", task.id, message);
            return;
        }
        app.failures++;
        Duration backoff = backoff(app.failures);
        app.nextLaunch = clock.instant().plus(backoff);
        task.state = endState;
        task.since = clock.instant();
        app.crashed.addLast(task);
        while (app.crashed.size() > ENDED_KEPT) {
            app.crashed.pollFirst();
        }
        emit(
                task.app,
                task.id,
                ClusterEvent.Type.CRASHED,
                "replica " + task.id + " on agent " + task.host + " ended: " + message + "; replacing it in "
                        + human(backoff));
    }

    /**
     * Kills what no app wants (surplus, outdated once enough of the current revision are ready, removed apps'), and
     * asks for offers only while a task is wanted.
     */
    private void converge() {
        List<Call> calls = new ArrayList<>();
        synchronized (lock) {
            if (!connection.subscribed()) {
                return;
            }
            boolean wanted = false;
            Instant now = clock.instant();
            for (MesosApp app : apps.values()) {
                List<MesosTask> current = current(app);
                int excess = current.size() - app.desired();
                // Those not serving go first, then the newest.
                current.sort(Comparator.comparing((MesosTask task) -> task.ready())
                        .thenComparing(task -> task.launched, Comparator.reverseOrder()));
                for (int i = 0; i < excess; i++) {
                    calls.add(kill(current.get(i)));
                }
                long readyCurrent = current.stream().filter(MesosTask::ready).count();
                List<MesosTask> old = new ArrayList<>();
                for (MesosTask task : tasksOf(app.ref)) {
                    if (!task.killRequested && !task.revision.equals(app.revision)) {
                        old.add(task);
                    }
                }
                old.sort(Comparator.comparing((MesosTask task) -> task.ready()));
                long keepOld = Math.max(0, app.desired() - readyCurrent);
                for (int i = 0; i < old.size() - keepOld; i++) {
                    calls.add(kill(old.get(i)));
                }
                if (current.size() < app.desired()) {
                    wanted |= !now.isBefore(app.nextLaunch);
                } else {
                    app.unplaceable = null;
                }
            }
            for (MesosTask task : tasks.values()) {
                if (!task.killRequested && !apps.containsKey(task.app)) {
                    calls.add(kill(task));
                }
            }
            if (wanted && suppressed) {
                calls.add(Calls.simple(Call.Type.REVIVE, frameworkId));
                suppressed = false;
            } else if (!wanted && !suppressed) {
                calls.add(Calls.simple(Call.Type.SUPPRESS, frameworkId));
                suppressed = true;
            }
        }
        calls.forEach(this::send);
    }

    /** Asks the master of tasks launched or adopted that it has said nothing of for a while. */
    private void reconcileUnconfirmed() {
        List<MesosTask> unconfirmed = new ArrayList<>();
        FrameworkID id;
        synchronized (lock) {
            if (!connection.subscribed()) {
                return;
            }
            Instant before = clock.instant().minus(UNCONFIRMED_AFTER);
            for (MesosTask task : tasks.values()) {
                if (task.unconfirmed && task.since.isBefore(before)) {
                    task.since = clock.instant();
                    unconfirmed.add(task);
                }
            }
            id = frameworkId;
        }
        if (!unconfirmed.isEmpty()) {
            send(Calls.reconcile(id, unconfirmed));
        }
    }

    // ---- helpers; those that touch state are called with the lock held ----

    /** The app's tasks of its current revision that run or are starting, and that EMP did not ask to kill. */
    private List<MesosTask> current(MesosApp app) {
        List<MesosTask> current = new ArrayList<>();
        for (MesosTask task : tasks.values()) {
            if (task.app.equals(app.ref) && task.revision.equals(app.revision) && !task.killRequested) {
                current.add(task);
            }
        }
        return current;
    }

    private List<MesosTask> tasksOf(AppRef ref) {
        List<MesosTask> own = new ArrayList<>();
        for (MesosTask task : tasks.values()) {
            if (task.app.equals(ref)) {
                own.add(task);
            }
        }
        return own;
    }

    private Call kill(MesosTask task) {
        task.killRequested = true;
        MesosApp app = apps.get(task.app);
        if (app != null) {
            updateRoute(app);
        }
        log.info("killing task '{}' of '{}'", task.id, task.app);
        return Calls.kill(frameworkId, task.id, task.agentId);
    }

    private void updateRoute(MesosApp app) {
        List<Backend> ready = new ArrayList<>();
        for (MesosTask task : tasks.values()) {
            if (task.app.equals(app.ref) && task.ready() && !task.killRequested) {
                ready.add(new Backend(task.id, new InetSocketAddress(task.host, task.hostPort)));
            }
        }
        routes.put(app.ref, app.route(ready));
    }

    private void rememberAgent(Offer offer) {
        String agentId = offer.getAgentId().getValue();
        URI url = agentUrl(offer);
        if (url != null && !url.equals(agents.get(agentId))) {
            agents.put(agentId, url);
            memory.agent(agentId, url);
        }
    }

    private TaskPlace place(MesosTask task) {
        return new TaskPlace(
                task.id, task.agentId, agents.get(task.agentId), frameworkId == null ? null : frameworkId.getValue());
    }

    /** Takes in what an earlier server kept; called with the lock held. */
    private void load() {
        FrameworkMemory.Recalled recalled = memory.recall();
        recalled.frameworkId().ifPresent(id -> frameworkId = id);
        recalled.tasks().forEach(tasks::putIfAbsent);
        agents.putAll(recalled.agents());
        if (frameworkId != null) {
            log.info("failing over to Mesos framework '{}' with {} task(s) kept", frameworkId.getValue(), tasks.size());
        }
    }

    private FrameworkInfo frameworkInfo() {
        return Calls.framework(config, frameworkIdNow());
    }

    private FrameworkID frameworkIdNow() {
        synchronized (lock) {
            return frameworkId;
        }
    }

    /** Sends a call; a failure is logged, and the periodic pass and reconciliation repair what it left undone. */
    private void send(Call call) {
        try {
            connection.call(call);
        } catch (PlatformException e) {
            log.warn("{} not delivered: {}", call.getType(), e.getMessage());
            if (call.getType() == Call.Type.SUPPRESS || call.getType() == Call.Type.REVIVE) {
                synchronized (lock) {
                    // Unknown now: the next pass sends whichever is right.
                    suppressed = call.getType() == Call.Type.REVIVE;
                }
            }
        }
    }

    private void emit(AppRef app, String instance, ClusterEvent.Type type, String message) {
        ClusterEvent event = new ClusterEvent(app, instance, type, message, clock.instant());
        for (ClusterListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("a cluster listener failed on an event of '{}'", app, e);
            }
        }
    }

    private Duration backoff(int failures) {
        Duration delay = config.restartBackoffInitial();
        for (int i = 1; i < failures && delay.compareTo(config.restartBackoffMax()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(config.restartBackoffMax()) > 0 ? config.restartBackoffMax() : delay;
    }

    private static boolean invalidLaunch(TaskStatus status) {
        return status.getReason() == TaskStatus.Reason.REASON_INVALID_OFFERS
                || status.getState() == TaskState.TASK_DROPPED
                || status.getReason() == TaskStatus.Reason.REASON_RECONCILIATION
                        && status.getState() != TaskState.TASK_FAILED;
    }

    /** What a person may do about a status, when EMP knows: an image on agents that cannot run images. */
    private static String hint(TaskStatus status, MesosApp app) {
        if (status.getReason() == TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED
                && app != null
                && app.deployment.spec().dockerImage() != null) {
            return " (a docker_image needs agents that run the Docker containerizer: --containerizers=docker,mesos)";
        }
        return "";
    }

    /** {@code TASK_FAILED (REASON_COMMAND_EXECUTOR_FAILED): Command exited with status 1}. */
    static String describe(TaskStatus status) {
        StringBuilder text = new StringBuilder(status.getState().name());
        if (status.hasReason()) {
            text.append(" (").append(status.getReason().name()).append(')');
        }
        if (status.hasMessage() && !status.getMessage().isBlank()) {
            text.append(": ").append(status.getMessage().strip());
        }
        return text.toString();
    }

    /** The agent's HTTP address from the offer's {@code url}; null when the master gave none. */
    static URI agentUrl(Offer offer) {
        if (!offer.hasUrl() || !offer.getUrl().hasAddress()) {
            return null;
        }
        var address = offer.getUrl().getAddress();
        String host = address.hasIp() ? address.getIp() : address.getHostname();
        String scheme =
                offer.getUrl().getScheme().isEmpty() ? "http" : offer.getUrl().getScheme();
        String literal = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create(scheme + "://" + literal + ":" + address.getPort());
    }

    private static String host(Offer offer) {
        if (!offer.getHostname().isEmpty()) {
            return offer.getHostname();
        }
        URI url = agentUrl(offer);
        return url == null ? "127.0.0.1" : url.getHost();
    }

    static String human(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        return millis % 1000 == 0
                ? millis / 1000 + "s"
                : String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}
