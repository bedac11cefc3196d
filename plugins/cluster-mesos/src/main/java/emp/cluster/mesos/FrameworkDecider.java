package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.cluster.ClusterEvent;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The decider of EMP's framework: the one thread of its own on which every decision is taken, in the order events
 * came, and the calls to the master that carry them out. It listens to the {@link SchedulerConnection} and hands each
 * event to that thread: offers are fitted with the tasks wanted ({@link Placement}), status updates are recorded
 * ({@link TaskUpdates}) and then acknowledged, and a periodic pass kills surplus and outdated tasks, asks for offers
 * (REVIVE) only while a task is wanted and tells the master to stop (SUPPRESS) otherwise, and reconciles tasks the
 * master has said nothing of. After each subscription every known task is reconciled with the master. The state it
 * decides on is the {@link FrameworkBook}'s, changed under its lock; calls are sent with the lock let go.
 */
final class FrameworkDecider implements SchedulerConnection.Listener, AutoCloseable {
    /** How often the decider looks again without being asked: back-offs ending, tasks unconfirmed. */
    static final Duration TICK = Duration.ofSeconds(1);
    /** A launched task the master has said nothing of for this long is reconciled explicitly. */
    static final Duration UNCONFIRMED_AFTER = Duration.ofSeconds(10);
    /** While a wanted task fits no offer, offers are declined for only this long, to see the others soon. */
    static final Duration SHORT_REFUSAL = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(FrameworkDecider.class);

    private final MesosClusterConfig config;
    private final Clock clock;
    private final FrameworkBook book;
    private final FrameworkMemory memory;
    private final TaskUpdates updates;
    private final FrameworkEvents events;
    private final TaskFactory factory;
    private final Function<String, Function<String, URI>> dependencyUrls;
    private final SchedulerConnection connection;
    private final ScheduledExecutorService decider;

    /** Whether the master was last told to stop offering (SUPPRESS) rather than to offer (REVIVE); under the lock. */
    private boolean suppressed;

    /**
     * @param dependencyUrls for an owner, where the owner's app of a name is called from a task ({@code <DEP>_URL})
     */
    FrameworkDecider(
            MesosClusterConfig config,
            Clock clock,
            FrameworkBook book,
            FrameworkMemory memory,
            TaskUpdates updates,
            FrameworkEvents events,
            TaskFactory factory,
            Function<String, Function<String, URI>> dependencyUrls) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.book = requireNonNull(book, "book is null");
        this.memory = requireNonNull(memory, "memory is null");
        this.updates = requireNonNull(updates, "updates is null");
        this.events = requireNonNull(events, "events is null");
        this.factory = requireNonNull(factory, "factory is null");
        this.dependencyUrls = requireNonNull(dependencyUrls, "dependencyUrls is null");
        this.connection = new SchedulerConnection(config, this::frameworkInfo, this);
        this.decider = Executors.newSingleThreadScheduledExecutor(Threads.named("cluster-mesos-decider"));
    }

    /** Starts the periodic pass. */
    void start() {
        decider.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    SchedulerConnection connection() {
        return connection;
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
        synchronized (book.lock) {
            book.unsubscribedSince = clock.instant();
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
        synchronized (book.lock) {
            boolean fresh = book.frameworkId == null || !book.frameworkId.equals(id);
            book.frameworkId = id;
            suppressed = false;
            book.unsubscribedSince = null;
            if (fresh) {
                memory.frameworkId(id);
            }
            log.info(
                    "subscribed to the Mesos master at {} as framework '{}'; reconciling {} task(s)",
                    connection.endpoint(),
                    id.getValue(),
                    book.tasks.size());
            if (!book.tasks.isEmpty()) {
                reconcile.add(Calls.reconcile(id, book.tasks.values()));
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
        synchronized (book.lock) {
            book.frameworkId = null;
            memory.forgetFrameworkId();
            for (MesosTask task : new ArrayList<>(book.tasks.values())) {
                updates.ended(task, TaskState.TASK_LOST, "the framework was removed: " + message, false);
            }
        }
    }

    private void onOffers(List<Offer> offers) {
        List<OfferSpace> spaces = new ArrayList<>();
        Map<OfferSpace, List<TaskInfo>> launches = new LinkedHashMap<>();
        List<MesosTask> launched = new ArrayList<>();
        boolean stillWanted;
        synchronized (book.lock) {
            for (Offer offer : offers) {
                book.rememberAgent(offer);
                spaces.add(new OfferSpace(offer));
            }
            Instant now = clock.instant();
            List<Placement.Want> wants = new ArrayList<>();
            for (MesosApp app : book.apps.values()) {
                int missing = app.toLaunch(
                        book.current(app).size(), book.outdated(app).size());
                if (missing > 0 && !now.isBefore(app.nextLaunch)) {
                    AppSpec spec = app.deployment.spec();
                    wants.add(new Placement.Want(app.ref, missing, factory.cpus(spec), factory.memoryMb(spec)));
                }
            }
            wants.sort(Comparator.comparing(want -> want.app().toString()));
            Placement.Result placed = Placement.place(wants, spaces, book::running);
            for (Placement.Launch launch : placed.launches()) {
                MesosApp app = book.apps.get(launch.app());
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
                book.tasks.put(id, task);
                launched.add(task);
                launches.computeIfAbsent(launch.space(), key -> new ArrayList<>())
                        .add(info);
                app.unplaceable = null;
                MesosTask replaced = app.crashed.pollFirst();
                if (replaced != null) {
                    events.emit(
                            app.ref,
                            replaced.id,
                            ClusterEvent.Type.RESTARTED,
                            "replica " + replaced.id + " replaced by " + id + " on agent " + task.host + " (failure "
                                    + app.failures + ")");
                }
            }
            placed.unplaceable().forEach((ref, why) -> book.apps.get(ref).unplaceable = why);
            stillWanted = !placed.unplaceable().isEmpty();
        }
        // Kept before the master hears of them, so that a server that dies now finds them on its next start.
        for (MesosTask task : launched) {
            memory.task(task);
        }
        Duration refusal = stillWanted ? SHORT_REFUSAL : config.offerRefusal();
        FrameworkID id = book.frameworkIdNow();
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

    private void onUpdate(TaskStatus status) {
        boolean terminal = MesosTask.TERMINAL.contains(status.getState());
        updates.record(status).ifPresent(this::send);
        // Acknowledged once recorded: the agent resends an update until it is, so none is lost across a crash.
        if (status.hasUuid()) {
            send(Calls.acknowledge(book.frameworkIdNow(), status));
        }
        if (terminal) {
            converge();
        }
    }

    /**
     * Kills what no app wants (surplus, outdated once enough of the current revision are ready, removed apps'), and
     * asks for offers only while a task is wanted.
     */
    private void converge() {
        List<Call> calls = new ArrayList<>();
        synchronized (book.lock) {
            if (!connection.subscribed()) {
                return;
            }
            boolean wanted = false;
            Instant now = clock.instant();
            for (MesosApp app : book.apps.values()) {
                List<MesosTask> current = book.current(app);
                int excess = current.size() - app.desired();
                // Those not serving go first, then the newest.
                current.sort(Comparator.comparing((MesosTask task) -> task.ready())
                        .thenComparing(task -> task.launched, Comparator.reverseOrder()));
                for (int i = 0; i < excess; i++) {
                    calls.add(kill(current.get(i)));
                }
                long readyCurrent = current.stream().filter(MesosTask::ready).count();
                List<MesosTask> old = book.outdated(app);
                old.sort(Comparator.comparing((MesosTask task) -> task.ready()));
                long keepOld = app.oldToKeep(readyCurrent);
                for (int i = 0; i < old.size() - keepOld; i++) {
                    calls.add(kill(old.get(i)));
                }
                int oldLeft = (int) Math.min(old.size(), keepOld);
                if (app.toLaunch(current.size(), oldLeft) > 0) {
                    wanted |= !now.isBefore(app.nextLaunch);
                } else {
                    app.unplaceable = null;
                }
            }
            for (MesosTask task : book.tasks.values()) {
                if (!task.killRequested && !book.apps.containsKey(task.app)) {
                    calls.add(kill(task));
                }
            }
            if (wanted && suppressed) {
                calls.add(Calls.simple(Call.Type.REVIVE, book.frameworkId));
                suppressed = false;
            } else if (!wanted && !suppressed) {
                calls.add(Calls.simple(Call.Type.SUPPRESS, book.frameworkId));
                suppressed = true;
            }
        }
        calls.forEach(this::send);
    }

    /** Asks the master of tasks launched or adopted that it has said nothing of for a while. */
    private void reconcileUnconfirmed() {
        List<MesosTask> unconfirmed = new ArrayList<>();
        FrameworkID id;
        synchronized (book.lock) {
            if (!connection.subscribed()) {
                return;
            }
            Instant before = clock.instant().minus(UNCONFIRMED_AFTER);
            for (MesosTask task : book.tasks.values()) {
                if (task.unconfirmed && task.since.isBefore(before)) {
                    task.since = clock.instant();
                    unconfirmed.add(task);
                }
            }
            id = book.frameworkId;
        }
        if (!unconfirmed.isEmpty()) {
            send(Calls.reconcile(id, unconfirmed));
        }
    }

    // ---- helpers; those that touch state are called with the lock held ----

    private Call kill(MesosTask task) {
        task.killRequested = true;
        MesosApp app = book.apps.get(task.app);
        if (app != null) {
            book.updateRoute(app);
        }
        log.info("killing task '{}' of '{}'", task.id, task.app);
        return Calls.kill(book.frameworkId, task.id, task.agentId);
    }

    private FrameworkInfo frameworkInfo() {
        return Calls.framework(config, book.frameworkIdNow());
    }

    /** Sends a call; a failure is logged, and the periodic pass and reconciliation repair what it left undone. */
    private void send(Call call) {
        try {
            connection.call(call);
        } catch (PlatformException e) {
            log.warn("{} not delivered: {}", call.getType(), e.getMessage());
            if (call.getType() == Call.Type.SUPPRESS || call.getType() == Call.Type.REVIVE) {
                synchronized (book.lock) {
                    // Unknown now: the next pass sends whichever is right.
                    suppressed = call.getType() == Call.Type.REVIVE;
                }
            }
        }
    }

    private static String host(Offer offer) {
        if (!offer.getHostname().isEmpty()) {
            return offer.getHostname();
        }
        URI url = FrameworkBook.agentUrl(offer);
        return url == null ? "127.0.0.1" : url.getHost();
    }
}
