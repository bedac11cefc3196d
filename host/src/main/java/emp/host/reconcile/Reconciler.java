package emp.host.reconcile;

import static java.util.Objects.requireNonNull;

import emp.host.apps.AppEventType;
import emp.host.apps.AppRecord;
import emp.host.apps.AppService;
import emp.host.apps.EventLog;
import emp.host.apps.ObservedStatuses;
import emp.host.lead.Leadership;
import emp.spi.AppRef;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.app.EnvVar;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.InstanceStatus;
import emp.spi.store.ChangeListener;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives what the cluster runs towards what the store says, on every change and on a timer. One thread does all
 * the work, so passes never overlap; a wake-up during a pass schedules one more pass, never a queue of them. Each
 * pass is idempotent: it compares and acts only on differences, so a restarted server simply runs a pass and the
 * cluster manager adopts or tops up what it finds.
 *
 * <p>A pass costs what changed, not what exists: where the store tells its changes ({@link
 * emp.spi.store.StateStore#watch}), a pass looks only at the apps changed since the last one (in the store, by any
 * server, or by an event of the cluster) and at those whose rollout is under way; every {@link #RESYNC_PASSES}
 * intervals, after the lead changes hands, when an app is gone or the replicas' variables changed, it looks at every
 * app. Over a store without a feed every pass looks at every app.
 *
 * <p>Only the server that leads the control plane drives the cluster; it records what the cluster runs in the store,
 * fenced by its term. A server that stands by only tells its cluster manager what the leader runs, so that its
 * gateway routes there too; when it takes the lead, its first pass brings back whatever the old leader ran.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    /** How many intervals apart passes over every app are, to mend what no change told. */
    static final int RESYNC_PASSES = 10;

    private final AppService apps;
    private final ClusterManager cluster;
    private final EventLog events;
    private final Function<AppRef, Map<String, String>> environment;
    private final Duration interval;
    private final Leadership leadership;
    private final ObservedStatuses observed;
    private final RolloutWatch rollouts;
    /** Whether the cluster manager was last told of replicas that another server runs. */
    private boolean followed;
    /** What the cluster manager was last told of this server's lead; null before the first pass. */
    private Boolean toldLeading;

    private String lastPublishProblem;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "emp-reconciler");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    /** What was last handed to the cluster per app id, so an unchanged app costs a status read, not a deploy. */
    private final Map<String, AppDeployment> applied = new HashMap<>();
    /** The last error reported per app id, so a failure that repeats every pass is logged once. */
    private final Map<String, String> lastError = new ConcurrentHashMap<>();
    /** The ids of the apps changed since the last pass. */
    private final Set<String> changed = ConcurrentHashMap.newKeySet();
    /** Whether the next pass looks at every app; always so over a store that tells no changes. */
    private volatile boolean everyApp = true;

    private boolean storeTellsChanges;
    private long passesSinceEveryApp;
    /** How long the last pass over every app took, and over how many; the same of the last pass over changed apps. */
    private volatile PassTime lastOverEveryApp;

    private volatile PassTime lastOverChanged;

    private final AtomicLong passesOverEveryApp = new AtomicLong();
    private final AtomicLong passesOverChanged = new AtomicLong();

    private record PassTime(long nanos, int apps) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.2f ms for %d app%s", nanos / 1e6, apps, apps == 1 ? "" : "s");
        }
    }

    private AutoCloseable watch;

    /**
     * @param environment    the variables the platform injects into an app's replicas
     * @param releaseTimeout how long a release's replicas have to become ready before it is rolled back
     */
    public Reconciler(
            AppService apps,
            ClusterManager cluster,
            EventLog events,
            Function<AppRef, Map<String, String>> environment,
            Duration interval,
            Leadership leadership,
            ObservedStatuses observed,
            Clock clock,
            Duration releaseTimeout) {
        this.apps = requireNonNull(apps, "apps is null");
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.events = requireNonNull(events, "events is null");
        this.environment = requireNonNull(environment, "environment is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.leadership = requireNonNull(leadership, "leadership is null");
        this.observed = requireNonNull(observed, "observed is null");
        this.rollouts = new RolloutWatch(apps.releases(), cluster, clock, releaseTimeout);
    }

    public void start() {
        cluster.watch(this::onClusterEvent);
        watch = apps.watchApps(new ChangeListener() {
                    @Override
                    public void changed(String collection, String id) {
                        changed.add(id);
                    }

                    @Override
                    public void cut() {
                        everyApp = true;
                    }

                    @Override
                    public void reset() {
                        everyApp = true;
                    }
                })
                .orElse(null);
        storeTellsChanges = watch != null;
        executor.scheduleWithFixedDelay(this::passSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a pass over every app soon: what every app's replicas are given changed. */
    public void wakeUpForEveryApp() {
        everyApp = true;
        wakeUp();
    }

    /** Asks for a pass soon; returns at once. */
    public void wakeUp() {
        if (wakeUpPending.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    wakeUpPending.set(false);
                    passSafely();
                });
            } catch (RejectedExecutionException e) {
                log.debug("reconciler is closed; wake-up ignored");
            }
        }
    }

    private void passSafely() {
        try {
            pass();
        } catch (PlatformException e) {
            log.warn("reconcile pass failed: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("reconcile pass failed unexpectedly", e);
        }
    }

    /** One pass over every app; visible for tests. */
    void pass() {
        boolean leads = leadership.leads();
        if (toldLeading == null || toldLeading != leads) {
            cluster.leading(leads);
            toldLeading = leads;
        }
        if (!leads) {
            follow();
            return;
        }
        if (everyApp || followed || !storeTellsChanges || ++passesSinceEveryApp >= RESYNC_PASSES) {
            passOverEveryApp();
            return;
        }
        long start = System.nanoTime();
        Set<String> ids = new HashSet<>(changed);
        changed.removeAll(ids);
        ids.addAll(rollouts.underWay());
        for (String id : ids) {
            Optional<AppRecord> record = apps.recordOf(id);
            if (record.isEmpty()) {
                // Removed: what the cluster runs of it is found by a pass over every app.
                passOverEveryApp();
                return;
            }
            reconcileOne(record.get());
        }
        if (!ids.isEmpty()) {
            lastOverChanged = new PassTime(System.nanoTime() - start, ids.size());
            passesOverChanged.incrementAndGet();
        }
    }

    /** How many passes ran, over every app ({@code every}) or over the changed ones, for {@code /metrics}. */
    public long passes(boolean every) {
        return every ? passesOverEveryApp.get() : passesOverChanged.get();
    }

    /** How long the last pass over every app ({@code every}) or over the changed ones took, in seconds; 0 before one. */
    public double lastPassSeconds(boolean every) {
        PassTime pass = every ? lastOverEveryApp : lastOverChanged;
        return pass == null ? 0 : pass.nanos() / 1e9;
    }

    /** How long the last passes took: always healthy, for a person (and bench/scale.sh) to see. */
    public Health health() {
        PassTime every = lastOverEveryApp;
        PassTime some = lastOverChanged;
        return Health.healthy("last pass over every app: " + (every == null ? "none yet" : every)
                + "; last pass over changed apps: " + (some == null ? "none yet" : some));
    }

    private void passOverEveryApp() {
        long start = System.nanoTime();
        everyApp = false;
        passesSinceEveryApp = 0;
        changed.clear();
        List<AppRecord> records = apps.allRecords();
        Set<AppRef> wanted = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (AppRecord record : records) {
            wanted.add(record.ref());
            ids.add(record.id());
            reconcileOne(record);
        }
        applied.keySet().retainAll(ids);
        lastError.keySet().retainAll(ids);
        rollouts.retain(ids);
        if (followed && ownReplicasServe(records)) {
            // Just took the lead: the old leader's replicas were routed to until this cluster's own were ready.
            cluster.runningElsewhere(Map.of());
            followed = false;
        }
        try {
            observed.retain(ids, leadership);
        } catch (PlatformException e) {
            publishFailed(e);
        }
        for (AppRef orphan : cluster.apps()) {
            if (!wanted.contains(orphan)) {
                boolean keepData = apps.keepDataOnRemoval(orphan);
                log.info(
                        "removing replicas of '{}', which is no longer in the store{}",
                        orphan,
                        keepData ? "" : " (with its data)");
                cluster.remove(orphan, keepData);
            }
        }
        lastOverEveryApp = new PassTime(System.nanoTime() - start, records.size());
        passesOverEveryApp.incrementAndGet();
    }

    private void reconcileOne(AppRecord record) {
        try {
            reconcile(record);
            checkRollout(record);
            if (lastError.remove(record.id()) != null) {
                events.append(record.id(), AppEventType.RECOVERED, "the cluster accepts the app again");
            }
            publish(record.id(), record.ref());
        } catch (PlatformException e) {
            applied.remove(record.id());
            // Tried again at the next pass, not only at the next change.
            changed.add(record.id());
            String message = e.getMessage();
            if (!message.equals(lastError.put(record.id(), message))) {
                log.warn("cannot reconcile app '{}': {}", record.ref(), message);
                events.append(record.id(), AppEventType.ERROR, message);
            }
        }
    }

    /** Whether every running app with replicas wanted has one of this cluster's own ready. */
    private boolean ownReplicasServe(List<AppRecord> records) {
        for (AppRecord record : records) {
            if (record.targetReplicas() > 0 && cluster.status(record.ref()).ready() == 0) {
                return false;
            }
        }
        return true;
    }

    /** Tells the cluster manager what the leader runs; forgets what was applied, since the leader may change it. */
    private void follow() {
        everyApp = true;
        applied.clear();
        observed.forgetWritten();
        Map<AppRef, List<InstanceStatus>> elsewhere = observed.all();
        cluster.runningElsewhere(elsewhere);
        followed = !elsewhere.isEmpty();
    }

    /** Records what the cluster runs for the app, for the servers that stand by. */
    private void publish(String id, AppRef app) {
        try {
            observed.record(id, cluster.status(app), leadership);
            lastPublishProblem = null;
        } catch (PlatformException e) {
            publishFailed(e);
        }
    }

    private void publishFailed(PlatformException e) {
        if (!e.getMessage().equals(lastPublishProblem)) {
            log.warn("cannot record what the cluster runs: {}", e.getMessage());
        }
        lastPublishProblem = e.getMessage();
    }

    private void reconcile(AppRecord record) {
        AppDeployment desired = new AppDeployment(
                record.ref(),
                withConfig(record),
                record.targetReplicas(),
                environment(record),
                record.running() && record.spec().scalesToZero(),
                apps.releases().openSecrets(record));
        if (!desired.equals(applied.get(record.id()))) {
            cluster.deploy(desired);
            applied.put(record.id(), desired);
            return;
        }
        AppStatus status = cluster.status(record.ref());
        if (!status.deployed()) {
            cluster.deploy(desired);
        } else if (status.desired() != desired.replicas()) {
            cluster.scale(record.ref(), desired.replicas());
        }
    }

    /** Follows the app's release; a failure to (the store or cluster away for a moment) waits for the next pass. */
    private void checkRollout(AppRecord record) {
        try {
            rollouts.check(record);
        } catch (PlatformException e) {
            log.debug("cannot follow the rollout of '{}' now: {}", record.ref(), e.getMessage());
        }
    }

    /** The spec as the cluster runs it: its {@code envs} with the app's config on top, a config variable winning. */
    private static AppSpec withConfig(AppRecord record) {
        if (record.config().isEmpty()) {
            return record.spec();
        }
        Map<String, String> merged = new LinkedHashMap<>();
        record.spec().envs().forEach(env -> merged.put(env.name(), env.value()));
        merged.putAll(record.config());
        List<EnvVar> envs = new ArrayList<>();
        merged.forEach((name, value) -> envs.add(new EnvVar(name, value)));
        return record.spec().withEnvs(envs);
    }

    /** The platform's variables for the app's replicas, with the time of its last rolling restart. */
    private Map<String, String> environment(AppRecord record) {
        Map<String, String> variables = environment.apply(record.ref());
        if (record.restartedAt() == null) {
            return variables;
        }
        Map<String, String> restarted = new HashMap<>(variables);
        restarted.put(AppRecord.RESTARTED_AT, record.restartedAt().toString());
        return restarted;
    }

    /** Called on the cluster's threads: hands the event to the reconciler's thread, which may block on the store. */
    private void onClusterEvent(ClusterEvent event) {
        try {
            executor.execute(() -> record(event));
        } catch (RejectedExecutionException e) {
            log.debug("reconciler is closed; event of '{}' not recorded", event.app());
        }
    }

    private void record(ClusterEvent event) {
        AppEventType type = switch (event.type()) {
            case READY -> AppEventType.READY;
            case CRASHED -> AppEventType.CRASH;
            case RESTARTED -> AppEventType.RESTART;
            case STOPPED -> null;
        };
        if (type == null) {
            return;
        }
        try {
            apps.idOf(event.app()).ifPresent(id -> {
                changed.add(id);
                events.append(id, type, event.message());
                if (leadership.leads()) {
                    publish(id, event.app());
                }
            });
        } catch (PlatformException e) {
            log.warn("cannot record event of '{}': {}", event.app(), e.getMessage());
        }
        if (event.type() == ClusterEvent.Type.CRASHED) {
            passSafely();
        }
    }

    @Override
    public void close() {
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception e) {
                log.debug("closing the watch of the apps failed", e);
            }
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
