package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.host.store.CachedStore;
import emp.spi.AppRef;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.app.QualityMetric;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LogLine;
import emp.spi.store.ChangeListener;
import emp.spi.store.Write;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every operation on apps, each scoped to the app's owner: another user's app is as invisible as one that does not
 * exist. Changes go to the store through the {@link AppRepository} (compare-and-set, retried on a concurrent change),
 * are told in the app's event log, and then wake the reconciler, which makes the cluster match; nothing here drives
 * the cluster directly. Deploys are {@link AppDeployer}'s, releases {@link AppReleases}'.
 */
public final class AppService {
    /** The most characters of a scale's reason: a person's is refused beyond it, a scheduler's cut. */
    public static final int MAX_REASON = 1000;

    private static final Logger log = LoggerFactory.getLogger(AppService.class);

    private final AppRepository repository;
    private final ClusterManager cluster;
    private final EventLog events;
    private final Clock clock;
    private final Runnable reconcile;
    private final AppViews views;
    private final Quota quota;
    private final AppDeployer deployer;
    private final AppReleases releases;

    /**
     * @param reconcile wakes the reconciler after a change
     * @param quota     what one user may hold; checked under a lock per user, so one server lets no burst past it
     * @param observed  what the leading server observes, for the apps this server's cluster does not run
     * @param secretBox seals the apps' secrets for the store
     */
    public AppService(
            CachedStore store,
            ClusterManager cluster,
            EventLog events,
            Clock clock,
            Runnable reconcile,
            ObservedStatuses observed,
            Quota quota,
            SecretBox secretBox) {
        this.repository = new AppRepository(store);
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.events = requireNonNull(events, "events is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.reconcile = requireNonNull(reconcile, "reconcile is null");
        this.views = new AppViews(cluster, requireNonNull(observed, "observed is null"));
        this.quota = requireNonNull(quota, "quota is null");
        this.releases = new AppReleases(repository, secretBox, cluster, events, clock, reconcile);
        this.deployer = new AppDeployer(repository, views, releases, cluster, events, clock, reconcile, quota);
    }

    /** The apps' releases, config and secrets. */
    public AppReleases releases() {
        return releases;
    }

    /**
     * Deploys one app or a whole system, all or nothing: every spec is checked first (by the host, then by the
     * cluster), then all are stored in one commit.
     */
    public List<AppView> deploy(String owner, List<AppSpec> specs) {
        return deployer.deploy(owner, specs);
    }

    /** What {@link #apply} did with one spec. */
    public enum Change {
        CREATED,
        UPDATED,
        UNCHANGED
    }

    /** One app after {@link #apply}, and what was done to it. */
    public record Applied(AppView app, Change change) {}

    /**
     * Makes the owner's apps of these names run these specs, all or nothing: see {@link AppDeployer#apply}.
     */
    public List<Applied> apply(String owner, List<AppSpec> specs) {
        return deployer.apply(owner, specs);
    }

    public List<AppView> list(String owner) {
        return repository.records(owner).stream().map(this::listed).toList();
    }

    /** Every user's apps, by owner and name: an operator's view. */
    public List<AppView> listAll() {
        return repository.everyOwnersRecords().stream()
                .map(this::listed)
                .sorted(Comparator.comparing(AppView::owner).thenComparing(AppView::name))
                .toList();
    }

    /**
     * Stops every running app of {@code owner} (a disabled account), each with an event saying why.
     *
     * @return how many were running
     */
    public int stopAll(String owner, String why) {
        cluster.requireAvailable();
        int stopped = 0;
        for (AppRecord record : repository.records(owner)) {
            if (!record.running()) {
                continue;
            }
            AppRecord after = repository.mutate(owner, record.id(), app -> app.withRunning(false, clock.instant()));
            events.append(after.id(), AppEventType.STOP, "stopped: " + why);
            stopped++;
        }
        if (stopped > 0) {
            reconcile.run();
        }
        return stopped;
    }

    public AppView get(String owner, String idOrName) {
        return view(repository.find(owner, idOrName).record());
    }

    public AppView stop(String owner, String idOrName) {
        cluster.requireAvailable();
        AppRecord before = repository.find(owner, idOrName).record();
        AppRecord after = repository.mutate(owner, idOrName, record -> record.withRunning(false, clock.instant()));
        if (before.running()) {
            events.append(
                    after.id(),
                    AppEventType.STOP,
                    "stopped; " + after.replicas() + " replica" + (after.replicas() == 1 ? "" : "s")
                            + " will come back on start");
        }
        reconcile.run();
        return view(after);
    }

    public AppView start(String owner, String idOrName) {
        cluster.requireAvailable();
        AppRecord before = repository.find(owner, idOrName).record();
        AppRecord after = repository.mutate(owner, idOrName, record -> record.withRunning(true, clock.instant()));
        if (!before.running()) {
            events.append(
                    after.id(),
                    AppEventType.START,
                    "started with " + after.replicas() + " replica" + (after.replicas() == 1 ? "" : "s"));
        }
        reconcile.run();
        return view(after);
    }

    /**
     * A rolling restart: every replica replaced by a new one, new ones first, as for a changed spec (replicas get the
     * time as {@value AppRecord#RESTARTED_AT}).
     *
     * @throws PlatformException of category CONFLICT for a stopped app, which has no replicas to restart
     */
    public AppView restart(String owner, String idOrName, String actor) {
        cluster.requireAvailable();
        AppRecord after = repository.mutate(owner, idOrName, record -> {
            if (!record.running()) {
                throw PlatformException.conflict("app '" + record.name() + "' is stopped; 'emp start " + record.name()
                        + "' starts it with new replicas");
            }
            return record.withRestart(clock.instant());
        });
        events.append(
                after.id(),
                AppEventType.ROLLOUT,
                "rolling restart of " + after.replicas() + " replica" + (after.replicas() == 1 ? "" : "s") + " by "
                        + actor);
        reconcile.run();
        return view(after);
    }

    /**
     * Sets the replica count; the path both people ({@code emp scale}) and schedulers take.
     *
     * @param reason why, for the event log; may be null; cut at {@link #MAX_REASON} characters
     * @param actor  who asked: a username or a scheduler's name
     */
    public AppView scale(String owner, String idOrName, int replicas, String reason, String actor) {
        return scale(owner, idOrName, replicas, reason, actor, List.of());
    }

    /**
     * Sets the replica count, only if {@code conditions} hold as well: a scheduler's decision carries the leader's
     * fence, so that a deposed leader's late decision is refused.
     */
    public AppView scale(
            String owner, String idOrName, int replicas, String reason, String actor, List<Write> conditions) {
        AppRecord current = repository.find(owner, idOrName).record();
        AppSpecValidator.requireReplicaCount("replicas", replicas, current.spec());
        cluster.requireAvailable();
        if (!current.running()) {
            throw PlatformException.conflict("app '" + current.name() + "' is stopped; start it first ('emp start "
                    + current.name() + "'), then scale");
        }
        int[] previous = new int[1];
        AppRecord after;
        synchronized (repository.ownerLock(owner)) {
            if (replicas > current.replicas()) {
                quota.requireReplicas(
                        owner, AppRepository.replicasAskedFor(repository.records(owner), current.id()), replicas);
            }
            after = repository.mutate(
                    owner,
                    idOrName,
                    record -> {
                        if (!record.running()) {
                            throw PlatformException.conflict(
                                    "app '" + record.name() + "' was stopped meanwhile; start it first, then scale");
                        }
                        previous[0] = record.replicas();
                        return record.withReplicas(replicas, clock.instant());
                    },
                    conditions);
        }
        if (previous[0] != replicas) {
            String why =
                    reason == null || reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "...";
            events.append(
                    after.id(), AppEventType.SCALE, AppEvent.scaled(after.name(), previous[0], replicas, actor, why));
        }
        reconcile.run();
        return view(after);
    }

    /** Sets one quality metric at runtime (REQ-8); the app keeps running. */
    public AppView updateQualityMetric(String owner, String idOrName, String metric, String values) {
        QualityMetric updated = new QualityMetric(metric, values == null ? "" : values);
        AppSpecValidator.validateQualityMetric("metric", updated);
        String[] previous = new String[1];
        AppRecord after = repository.mutate(owner, idOrName, record -> {
            List<QualityMetric> metrics = new ArrayList<>();
            previous[0] = null;
            for (QualityMetric existing : record.spec().qualityMetrics()) {
                if (existing.metric().equals(metric)) {
                    previous[0] = existing.values();
                } else {
                    metrics.add(existing);
                }
            }
            metrics.add(updated);
            return record.withSpec(record.spec().withQualityMetrics(metrics), clock.instant());
        });
        events.append(
                after.id(),
                AppEventType.METRICS,
                "quality metric " + metric + " set to " + values
                        + (previous[0] == null ? "" : " (was " + previous[0] + ")"));
        return view(after);
    }

    /**
     * Removes the app: its desired state and event log go at once; the reconciler then removes its replicas.
     *
     * @param purge also delete the app's persistent data
     */
    public void remove(String owner, String idOrName, boolean purge) {
        cluster.requireAvailable();
        AppRecord record = repository.delete(owner, idOrName, purge);
        events.delete(record.id());
        releases.forget(record.id());
        log.info("app '{}' ({}) removed{}", record.ref(), record.id(), purge ? " with its data" : "");
        reconcile.run();
    }

    /**
     * Whether the removal of {@code app}, through whichever server, asked to keep its data (true when no removal is
     * recorded); the record is consumed.
     */
    public boolean keepDataOnRemoval(AppRef app) {
        return repository.keepDataOnRemoval(app);
    }

    /** Every app of every owner: what the reconciler drives. */
    public List<AppRecord> allRecords() {
        return repository.allRecords();
    }

    /** The id of an app by reference, for events that the cluster reports. */
    public Optional<String> idOf(AppRef app) {
        return repository.idOf(app);
    }

    /** The app of this id, if it exists. */
    public Optional<AppRecord> recordOf(String id) {
        return repository.recordOf(id);
    }

    /**
     * Tells {@code listener} the id of every app changed from now on, through any server; empty when the store tells
     * no changes.
     */
    public Optional<AutoCloseable> watchApps(ChangeListener listener) {
        return repository.watchApps(listener);
    }

    /**
     * The app's events: the newest {@code limit}, or, with {@code after}, the {@code limit} oldest after that
     * sequence number, to page through the whole log.
     */
    public List<AppEvent> events(String owner, String idOrName, int limit, Long after) {
        String id = repository.find(owner, idOrName).record().id();
        return after == null ? events.tail(id, limit) : events.after(id, after, limit);
    }

    public List<LogLine> logs(String owner, String idOrName, int tail) {
        return cluster.logs(repository.find(owner, idOrName).record().ref(), tail);
    }

    /**
     * The app's requests as the cluster measured them in its request path.
     *
     * @throws PlatformException not found when the owner has no such app, or the cluster does not measure load
     */
    public LoadFigures load(String owner, String idOrName) {
        AppRecord record = repository.find(owner, idOrName).record();
        return cluster.load(record.ref())
                .orElseThrow(() -> PlatformException.notFound("the cluster does not measure the requests of app '"
                        + record.name() + "' in its request path (only the local cluster's gateway does);"
                        + " its spans tell its load instead: GET /v1/apps/" + record.id() + "/tracing"));
    }

    /** An app as a list shows it: without the disk use of its logs, which costs a file system call per replica. */
    private AppView listed(AppRecord record) {
        return views.of(record, false);
    }

    AppView view(AppRecord record) {
        return views.of(record, true);
    }
}
