package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.host.JsonCodec;
import emp.host.store.CachedStore;
import emp.spi.AppRef;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.app.QualityMetric;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LogLine;
import emp.spi.store.ChangeListener;
import emp.spi.store.Entry;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every operation on apps, each scoped to the app's owner: another user's app is as invisible as one that does not
 * exist. Changes go to the store (compare-and-set, retried on a concurrent change) and then wake the reconciler,
 * which makes the cluster match; nothing here drives the cluster directly.
 */
public final class AppService {
    /** The most characters of a scale's reason: a person's is refused beyond it, a scheduler's cut. */
    public static final int MAX_REASON = 1000;

    private static final Logger log = LoggerFactory.getLogger(AppService.class);
    static final String APPS = "apps";
    static final String NAMES = "app-names";
    /** The collections every request reads, which the host holds whole in memory ({@link CachedStore}). */
    public static final Set<String> HELD_IN_MEMORY = Set.of(APPS, NAMES);
    /** Apps removed whose replicas the leader has yet to remove, by {@code owner/name}: whether to purge their data. */
    static final String REMOVALS = "app-removals";

    private static final String PURGE = "purge";
    private static final String KEEP = "keep";
    private static final int CAS_ATTEMPTS = 10;
    /** One lock per user: a user's quota is checked and the change stored under it. */
    private final Map<String, Object> ownerLocks = new ConcurrentHashMap<>();

    private final CachedStore store;
    private final DecodedApps decoded = new DecodedApps();
    private final ClusterManager cluster;
    private final EventLog events;
    private final Clock clock;
    private final Runnable reconcile;
    private final AppViews views;
    private final Quota quota;
    private final SecureRandom random = new SecureRandom();
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
        this.store = requireNonNull(store, "store is null");
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.events = requireNonNull(events, "events is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.reconcile = requireNonNull(reconcile, "reconcile is null");
        this.views = new AppViews(cluster, requireNonNull(observed, "observed is null"));
        this.quota = requireNonNull(quota, "quota is null");
        this.releases = new AppReleases(this, store, secretBox, cluster, events, clock, reconcile);
        this.deployer = new AppDeployer(this, releases, store, cluster, events, clock, reconcile, quota);
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
        return records(owner).stream().map(this::listed).toList();
    }

    /** Every user's apps, by owner and name: an operator's view. */
    public List<AppView> listAll() {
        List<AppView> all = new ArrayList<>();
        for (Entry entry : store.list(NAMES)) {
            store.get(APPS, entry.value()).map(decoded::of).map(this::listed).ifPresent(all::add);
        }
        all.sort(java.util.Comparator.comparing(AppView::owner).thenComparing(AppView::name));
        return all;
    }

    /**
     * Stops every running app of {@code owner} (a disabled account), each with an event saying why.
     *
     * @return how many were running
     */
    public int stopAll(String owner, String why) {
        cluster.requireAvailable();
        int stopped = 0;
        for (AppRecord record : records(owner)) {
            if (!record.running()) {
                continue;
            }
            AppRecord after = mutate(owner, record.id(), app -> app.withRunning(false, clock.instant()));
            events.append(after.id(), AppEventType.STOP, "stopped: " + why);
            stopped++;
        }
        if (stopped > 0) {
            reconcile.run();
        }
        return stopped;
    }

    public AppView get(String owner, String idOrName) {
        return view(find(owner, idOrName).record());
    }

    public AppView stop(String owner, String idOrName) {
        cluster.requireAvailable();
        AppRecord before = find(owner, idOrName).record();
        AppRecord after = mutate(owner, idOrName, record -> record.withRunning(false, clock.instant()));
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
        AppRecord before = find(owner, idOrName).record();
        AppRecord after = mutate(owner, idOrName, record -> record.withRunning(true, clock.instant()));
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
        AppRecord after = mutate(owner, idOrName, record -> {
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
        AppRecord current = find(owner, idOrName).record();
        AppSpecValidator.requireReplicaCount("replicas", replicas, current.spec());
        cluster.requireAvailable();
        if (!current.running()) {
            throw PlatformException.conflict("app '" + current.name() + "' is stopped; start it first ('emp start "
                    + current.name() + "'), then scale");
        }
        int[] previous = new int[1];
        AppRecord after;
        synchronized (ownerLock(owner)) {
            if (replicas > current.replicas()) {
                quota.requireReplicas(owner, replicasAskedFor(records(owner), current.id()), replicas);
            }
            after = mutate(
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
        AppRecord after = mutate(owner, idOrName, record -> {
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
        for (int attempt = 0; ; attempt++) {
            Found found = find(owner, idOrName);
            AppRecord record = found.record();
            try {
                store.commit(List.of(
                        Write.delete(APPS, record.id(), found.version()),
                        Write.delete(NAMES, nameKey(owner, record.name()), Write.ANY),
                        Write.update(REMOVALS, record.ref().toString(), purge ? PURGE : KEEP, Write.ANY)));
            } catch (VersionConflictException e) {
                if (attempt < CAS_ATTEMPTS) {
                    continue;
                }
                throw e;
            }
            events.delete(record.id());
            releases.forget(record.id());
            log.info("app '{}' ({}) removed{}", record.ref(), record.id(), purge ? " with its data" : "");
            reconcile.run();
            return;
        }
    }

    /**
     * Whether the removal of {@code app}, through whichever server, asked to keep its data (true when no removal is
     * recorded); the record is consumed.
     */
    public boolean keepDataOnRemoval(AppRef app) {
        Optional<Entry> removal = store.get(REMOVALS, app.toString());
        removal.ifPresent(entry -> store.commit(Write.delete(REMOVALS, entry.key(), entry.version())));
        return removal.map(entry -> !entry.value().equals(PURGE)).orElse(true);
    }

    /**
     * The app's events: the newest {@code limit}, or, with {@code after}, the {@code limit} oldest after that
     * sequence number, to page through the whole log.
     */
    public List<AppEvent> events(String owner, String idOrName, int limit, Long after) {
        String id = find(owner, idOrName).record().id();
        return after == null ? events.tail(id, limit) : events.after(id, after, limit);
    }

    public List<LogLine> logs(String owner, String idOrName, int tail) {
        return cluster.logs(find(owner, idOrName).record().ref(), tail);
    }

    /**
     * The app's requests as the cluster measured them in its request path.
     *
     * @throws PlatformException not found when the owner has no such app, or the cluster does not measure load
     */
    public LoadFigures load(String owner, String idOrName) {
        AppRecord record = find(owner, idOrName).record();
        return cluster.load(record.ref())
                .orElseThrow(() -> PlatformException.notFound("the cluster does not measure the requests of app '"
                        + record.name() + "' in its request path (only the local cluster's gateway does);"
                        + " its spans tell its load instead: GET /v1/apps/" + record.id() + "/tracing"));
    }

    /** Every app of every owner: what the reconciler drives. */
    public List<AppRecord> allRecords() {
        List<Entry> entries = store.list(APPS);
        List<AppRecord> records = new ArrayList<>(entries.size());
        Set<String> ids = new HashSet<>();
        for (Entry entry : entries) {
            records.add(decoded.of(entry));
            ids.add(entry.key());
        }
        decoded.retain(ids);
        return records;
    }

    /** The id of an app by reference, for events that the cluster reports. */
    public Optional<String> idOf(AppRef app) {
        return store.get(NAMES, nameKey(app.owner(), app.name())).map(Entry::value);
    }

    /** The replicas {@code apps} ask for, a stopped app's included (start brings them back), but for {@code except}. */
    static int replicasAskedFor(List<AppRecord> apps, String except) {
        int sum = 0;
        for (AppRecord app : apps) {
            if (!app.id().equals(except)) {
                sum += app.replicas();
            }
        }
        return sum;
    }

    Object ownerLock(String owner) {
        return ownerLocks.computeIfAbsent(owner, key -> new Object());
    }

    /** The owner's apps: one range of the names, in memory, and a read of each app, in memory too. */
    List<AppRecord> records(String owner) {
        List<AppRecord> records = new ArrayList<>();
        for (Entry entry : store.list(NAMES, owner + "/")) {
            store.get(APPS, entry.value()).ifPresent(app -> records.add(decoded.of(app)));
        }
        return records;
    }

    /** An app as a list shows it: without the disk use of its logs, which costs a file system call per replica. */
    private AppView listed(AppRecord record) {
        return views.of(record, false);
    }

    AppView view(AppRecord record) {
        return views.of(record, true);
    }

    record Found(AppRecord record, long version) {}

    Found find(String owner, String idOrName) {
        if (idOrName == null || idOrName.isBlank()) {
            throw PlatformException.invalid("id", "no app id or name given");
        }
        Optional<Entry> byId = store.get(APPS, idOrName);
        if (byId.isPresent()) {
            AppRecord record = decoded.of(byId.get());
            if (record.owner().equals(owner)) {
                return new Found(record, byId.get().version());
            }
        }
        Optional<Entry> byName = store.get(NAMES, nameKey(owner, idOrName));
        if (byName.isPresent()) {
            Optional<Entry> app = store.get(APPS, byName.get().value());
            if (app.isPresent()) {
                return new Found(decoded.of(app.get()), app.get().version());
            }
        }
        throw PlatformException.notFound(
                "you have no app with id or name '" + idOrName + "'; 'emp list' shows your apps");
    }

    private AppRecord mutate(String owner, String idOrName, UnaryOperator<AppRecord> change) {
        return mutate(owner, idOrName, change, List.of());
    }

    /** Applies {@code change} by compare-and-set, retried on a concurrent change; a failed condition is not retried. */
    private AppRecord mutate(String owner, String idOrName, UnaryOperator<AppRecord> change, List<Write> conditions) {
        for (int attempt = 0; ; attempt++) {
            Found found = find(owner, idOrName);
            AppRecord updated = change.apply(found.record());
            List<Write> writes = new ArrayList<>(conditions);
            writes.add(Write.update(APPS, updated.id(), JsonCodec.write(updated), found.version()));
            try {
                store.commit(writes);
                return updated;
            } catch (VersionConflictException e) {
                if (!(e.collection().equals(APPS) && e.key().equals(updated.id()))) {
                    throw PlatformException.conflict("not changed: " + e.getMessage());
                }
                if (attempt >= CAS_ATTEMPTS) {
                    throw PlatformException.conflict(
                            "app '" + found.record().name() + "' is being changed by others right now; try again");
                }
            }
        }
    }

    /**
     * Tells {@code listener} the id of every app changed from now on, through any server; empty when the store tells
     * no changes.
     */
    public Optional<AutoCloseable> watchApps(ChangeListener listener) {
        return store.watch(APPS, listener);
    }

    /** The app of this id, if it exists. */
    public Optional<AppRecord> recordOf(String id) {
        return store.get(APPS, id).map(decoded::of);
    }

    CachedStore store() {
        return store;
    }

    String newId() {
        byte[] bytes = new byte[5];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static String nameKey(String owner, String name) {
        return owner + "/" + name;
    }
}
