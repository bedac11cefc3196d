package emp.host.scale;

import static java.util.Objects.requireNonNull;

import emp.host.apps.AppEvent;
import emp.host.apps.AppEventType;
import emp.host.apps.AppRecord;
import emp.host.apps.AppService;
import emp.host.apps.EventLog;
import emp.host.lead.Leadership;
import emp.host.tracing.TraceAggregator;
import emp.spi.AppRef;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.cluster.ClusterManager;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.ClusterView;
import emp.spi.scheduler.ScaleDecision;
import emp.spi.scheduler.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every tick, shows the active scheduler the cluster as the traces see it and carries out what it decides, through
 * the same path as a person's {@code emp scale} (store, then reconciler), within each app's bounds and the
 * cool-downs, with the reason in the app's event log. A scheduler that throws or takes longer than its time limit is
 * logged and skipped for that tick; the platform goes on serving. Only the server that leads the control plane
 * decides, and its decisions carry its fencing token, so a leader deposed mid-tick cannot scale.
 *
 * <p>Before the scheduler, each tick applies the platform's own scale-to-zero rule (see {@link ScaleToZero}): an app
 * with {@code min_replicas: 0} idle for its {@code idle_after} goes to zero, and one that a request waits for wakes,
 * past the cool-downs (a waiting request must not wait for a cool-down). A dry run wakes apps still, since an app
 * nobody can reach is no test of a scheduler, but does not idle them.
 */
public final class ScalingLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScalingLoop.class);

    /** The active scheduler and its name: changed by {@link #use} on the ticker's thread, between two ticks. */
    private volatile Scheduler scheduler;

    private volatile String name;
    private final AppService apps;
    private final ClusterManager cluster;
    private final TraceAggregator aggregator;
    private final EventLog events;
    private final Clock clock;
    private final Settings settings;
    private final Leadership leadership;
    private final TickTimes tickTimes = new TickTimes();
    /** The changes of replicas this loop made (the scheduler's and the platform's own). */
    private final AtomicLong scalings = new AtomicLong();

    private final DecisionGate gate;
    private final ScaleToZero scaleToZero = new ScaleToZero();
    private final ScheduledExecutorService ticker =
            Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "emp-scaling-loop"));
    /** Where the scheduler runs, so a slow one can be abandoned without stalling the tick. */
    private final ExecutorService deciding =
            Executors.newSingleThreadExecutor(runnable -> daemon(runnable, "emp-scheduler"));

    private Future<List<ScaleDecision>> running;

    /**
     * @param interval       how often to tick
     * @param upCooldown     the least time between a change and a scale-up of the same app
     * @param downCooldown   the least time between a change and a scale-down of the same app
     * @param decideTimeout  how long the scheduler may take per tick
     * @param dryRun         log and record decisions without acting
     */
    public record Settings(
            Duration interval, Duration upCooldown, Duration downCooldown, Duration decideTimeout, boolean dryRun) {}

    public ScalingLoop(
            Scheduler scheduler,
            String name,
            AppService apps,
            ClusterManager cluster,
            TraceAggregator aggregator,
            EventLog events,
            Clock clock,
            Settings settings,
            Leadership leadership) {
        this.leadership = requireNonNull(leadership, "leadership is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.name = requireNonNull(name, "name is null");
        this.apps = requireNonNull(apps, "apps is null");
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.aggregator = requireNonNull(aggregator, "aggregator is null");
        this.events = requireNonNull(events, "events is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.gate = new DecisionGate(settings.upCooldown(), settings.downCooldown());
    }

    public void start() {
        long period = settings.interval().toMillis();
        ticker.scheduleWithFixedDelay(this::tickSafely, period, period, TimeUnit.MILLISECONDS);
        log.info(
                "scaling loop every {} ms: scheduler '{}'{}; apps with min_replicas 0 go idle and wake on demand",
                period,
                name,
                settings.dryRun() ? " (dry run: decisions are only logged)" : "");
    }

    /**
     * Makes {@code next} the active scheduler from the next tick on: the tick under way, if any, finishes with the one
     * before, which is no longer called after this returns.
     *
     * @throws PlatformException of category UNAVAILABLE when the loop does not get to it in time (a tick stuck)
     */
    public void use(Scheduler next, String nextName) {
        requireNonNull(next, "next is null");
        requireNonNull(nextName, "nextName is null");
        Future<?> switched = ticker.submit(() -> {
            String before = name;
            scheduler = next;
            name = nextName;
            log.info("scaling loop: scheduler '{}' replaces '{}' from the next tick", nextName, before);
        });
        try {
            switched.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PlatformException.unavailable("interrupted while switching the scheduler", e);
        } catch (ExecutionException | TimeoutException e) {
            throw PlatformException.unavailable(
                    "the scaling loop did not take scheduler '" + nextName + "' within 30 s; try again", e);
        }
    }

    /** The name of the active scheduler. */
    public String schedulerName() {
        return name;
    }

    /** How long the last ticks took: always healthy, for a person to see. */
    public Health health() {
        return Health.healthy(tickTimes.describe());
    }

    /** How many ticks ran, for {@code /metrics}. */
    public long ticks() {
        return tickTimes.ticks();
    }

    /** How long the last tick took, in seconds, for {@code /metrics}. */
    public double lastTickSeconds() {
        return tickTimes.lastSeconds();
    }

    /** How many changes of replicas the loop made, for {@code /metrics}. */
    public long scalings() {
        return scalings.get();
    }

    private void tickSafely() {
        long began = System.nanoTime();
        try {
            tick();
        } catch (PlatformException e) {
            log.warn("scaling tick skipped: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("scaling tick failed", e);
        } finally {
            tickTimes.record(System.nanoTime() - began);
        }
    }

    /** One tick; visible for tests. */
    void tick() {
        if (!leadership.leads()) {
            return;
        }
        if (running != null && !running.isDone()) {
            log.warn("scheduler '{}' is still busy with an earlier tick; this tick is skipped", name);
            return;
        }
        Instant now = clock.instant();
        Map<AppRef, AppView> views = new HashMap<>();
        Map<AppRef, AppRecord> records = new HashMap<>();
        for (AppRecord record : apps.allRecords()) {
            if (!record.running()) {
                continue;
            }
            TraceAggregator.AppFigures figures = aggregator.figures(record.ref());
            int ready = cluster.status(record.ref()).ready();
            views.put(
                    record.ref(),
                    new AppView(
                            record.ref(),
                            record.spec(),
                            record.replicas(),
                            ready,
                            figures.metrics(),
                            figures.edges(),
                            cluster.load(record.ref())));
            records.put(record.ref(), record);
        }
        gate.retain(views.keySet());
        scaleToZero.retain(views.keySet());
        Set<AppRef> changed = new HashSet<>();
        for (AppRecord record : records.values()) {
            scaleToZero
                    .judge(record, views.get(record.ref()).load(), now)
                    .filter(change -> change.replicas() > 0 || !settings.dryRun())
                    .ifPresent(change -> {
                        // A woken app starts no cool-down: the scheduler may size it up from its first replica at once.
                        if (scale(
                                record,
                                change.replicas(),
                                change.reason(),
                                "the platform",
                                change.replicas() == 0,
                                now)) {
                            changed.add(record.ref());
                        }
                    });
        }
        List<ScaleDecision> decisions = decide(new ClusterView(now, views));
        for (ScaleDecision decision : decisions) {
            AppRecord record = records.get(decision.app());
            if (changed.contains(decision.app())) {
                log.debug(
                        "scheduler '{}' decided about '{}', which the platform just scaled; ignored",
                        name,
                        decision.app());
                continue;
            }
            if (record == null) {
                log.debug("scheduler '{}' decided about '{}', which is not running; ignored", name, decision.app());
                continue;
            }
            gate.admit(record.ref(), record.spec(), record.replicas(), decision.replicas(), now)
                    .ifPresent(verdict -> apply(record, verdict, decision.reason(), now));
        }
    }

    private List<ScaleDecision> decide(ClusterView view) {
        running = deciding.submit(() -> scheduler.decide(view));
        try {
            List<ScaleDecision> decisions = running.get(settings.decideTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return decisions == null ? List.of() : decisions;
        } catch (TimeoutException e) {
            running.cancel(true);
            log.warn(
                    "scheduler '{}' took longer than {} ms; its decision for this tick is skipped",
                    name,
                    settings.decideTimeout().toMillis());
        } catch (ExecutionException e) {
            log.warn("scheduler '{}' failed; this tick is skipped", name, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of();
    }

    private void apply(AppRecord record, DecisionGate.Verdict verdict, String reason, Instant now) {
        String because = reason
                + (verdict.clamped()
                        ? " (held to the app's " + record.spec().effectiveMinReplicas() + ".."
                                + record.spec().effectiveMaxReplicas() + " replicas)"
                        : "");
        if (settings.dryRun()) {
            log.info(
                    "dry run: scheduler '{}' would scale '{}' {} -> {}: {}",
                    name,
                    record.ref(),
                    record.replicas(),
                    verdict.replicas(),
                    because);
            events.append(
                    record.id(),
                    AppEventType.DRY_RUN,
                    "would scale " + record.name() + " " + record.replicas() + " -> " + verdict.replicas()
                            + " (scheduler " + name + ", dry run): " + because);
            gate.changed(record.ref(), now);
            return;
        }
        scale(record, verdict.replicas(), because, AppEvent.scheduler(name), true, now);
    }

    /**
     * Scales through the app service, with the leader's fence.
     *
     * @param coolDown whether the change starts the app's cool-downs
     * @return false when it could not
     */
    private boolean scale(AppRecord record, int replicas, String reason, String actor, boolean coolDown, Instant now) {
        try {
            apps.scale(record.owner(), record.id(), replicas, reason, actor, leadership.fence());
            if (coolDown) {
                gate.changed(record.ref(), now);
            }
            log.info("{} scaled '{}' {} -> {}: {}", actor, record.ref(), record.replicas(), replicas, reason);
            scalings.incrementAndGet();
            return true;
        } catch (PlatformException e) {
            log.warn("{} could not scale '{}': {}", actor, record.ref(), e.getMessage());
            return false;
        }
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        deciding.shutdownNow();
    }
}
