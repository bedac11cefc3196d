package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.host.JsonCodec;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.cluster.ClusterManager;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How specs become apps: a first deploy ({@code POST /v1/apps}) and a deploy that updates in place
 * ({@code PUT /v1/apps}), each all or nothing in one store commit, after every spec is checked by the host and the
 * cluster, under the owner's lock so that a burst cannot pass the quota. Part of {@link AppService}, which holds the
 * apps' records and views.
 */
final class AppDeployer {
    private static final Logger log = LoggerFactory.getLogger(AppService.class);
    private static final int MAX_BATCH = 100;

    private final AppRepository apps;
    private final AppViews views;
    private final AppReleases releases;
    private final StateStore store;
    private final ClusterManager cluster;
    private final EventLog events;
    private final Clock clock;
    private final Runnable reconcile;
    private final Quota quota;

    AppDeployer(
            AppRepository apps,
            AppViews views,
            AppReleases releases,
            ClusterManager cluster,
            EventLog events,
            Clock clock,
            Runnable reconcile,
            Quota quota) {
        this.apps = requireNonNull(apps, "apps is null");
        this.views = requireNonNull(views, "views is null");
        this.releases = requireNonNull(releases, "releases is null");
        this.store = apps.store();
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.events = requireNonNull(events, "events is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.reconcile = requireNonNull(reconcile, "reconcile is null");
        this.quota = requireNonNull(quota, "quota is null");
    }

    /**
     * Deploys one app or a whole system, all or nothing: every spec is checked first (by the host, then by the
     * cluster), then all are stored in one commit.
     */
    List<AppView> deploy(String owner, List<AppSpec> specs) {
        validateBatch(owner, specs);
        cluster.requireAvailable();
        synchronized (apps.ownerLock(owner)) {
            List<AppRecord> have = apps.records(owner);
            quota.requireApps(owner, have.size(), specs.size());
            quota.requireReplicas(
                    owner,
                    AppRepository.replicasAskedFor(have, null),
                    specs.stream().mapToInt(AppSpec::effectiveReplicas).sum());
            return create(owner, specs);
        }
    }

    /**
     * Makes the owner's apps of these names run these specs, all or nothing: a name the owner has no app of is
     * deployed; an app whose spec differs is updated in place (same id, events, running or stopped, and replica count
     * unless the new spec's {@code replicas} differs from the old one's; the count is kept within the new bounds), and
     * the cluster rolls its replicas; an app whose spec is the same is left alone.
     */
    List<AppService.Applied> apply(String owner, List<AppSpec> specs) {
        validateBatch(owner, specs);
        synchronized (apps.ownerLock(owner)) {
            Instant now = clock.instant();
            List<AppRecord> have = apps.records(owner);
            List<Write> writes = new ArrayList<>();
            List<AppRecord> after = new ArrayList<>();
            List<AppService.Change> changes = new ArrayList<>();
            List<List<String>> changedFields = new ArrayList<>();
            int created = 0;
            int replicasBefore = 0;
            int replicasAfter = 0;
            for (AppSpec spec : specs) {
                Optional<Entry> name = store.get(AppRepository.NAMES, AppRepository.nameKey(owner, spec.name()));
                Optional<Entry> existing = name.flatMap(entry -> store.get(AppRepository.APPS, entry.value()));
                if (existing.isEmpty()) {
                    AppRecord record = new AppRecord(
                            apps.newId(), owner, spec.name(), spec, true, spec.effectiveReplicas(), now, now);
                    writes.add(Write.create(AppRepository.APPS, record.id(), JsonCodec.write(record)));
                    writes.add(
                            Write.create(AppRepository.NAMES, AppRepository.nameKey(owner, spec.name()), record.id()));
                    writes.addAll(releases.first(record));
                    after.add(record);
                    changes.add(AppService.Change.CREATED);
                    changedFields.add(List.of());
                    created++;
                    replicasAfter += record.replicas();
                    continue;
                }
                AppRecord old = JsonCodec.readStored(existing.get().value(), AppRecord.class);
                List<String> fields = SpecChanges.between(old.spec(), spec);
                if (fields.isEmpty()) {
                    after.add(old);
                    changes.add(AppService.Change.UNCHANGED);
                    changedFields.add(List.of());
                    continue;
                }
                int replicas = Objects.equals(spec.replicas(), old.spec().replicas())
                        ? old.replicas()
                        : spec.effectiveReplicas();
                replicas = Math.max(spec.effectiveMinReplicas(), Math.min(spec.effectiveMaxReplicas(), replicas));
                AppRecord record = old.withRelease(old.release() + 1, spec, old.config(), old.secrets(), now)
                        .withReplicas(replicas, now);
                writes.add(Write.update(
                        AppRepository.APPS,
                        old.id(),
                        JsonCodec.write(record),
                        existing.get().version()));
                writes.addAll(releases.redeployed(old, record, fields));
                after.add(record);
                changes.add(AppService.Change.UPDATED);
                changedFields.add(fields);
                replicasBefore += old.replicas();
                replicasAfter += replicas;
            }
            if (!writes.isEmpty()) {
                cluster.requireAvailable();
                if (created > 0) {
                    quota.requireApps(owner, have.size(), created);
                }
                if (replicasAfter > replicasBefore) {
                    quota.requireReplicas(
                            owner, AppRepository.replicasAskedFor(have, null) - replicasBefore, replicasAfter);
                }
                try {
                    store.commit(writes);
                } catch (VersionConflictException e) {
                    throw PlatformException.conflict(
                            "an app of this deploy was changed or removed meanwhile; deploy again to apply the file"
                                    + " to what is there now");
                }
            }
            List<AppService.Applied> applied = new ArrayList<>();
            for (int i = 0; i < after.size(); i++) {
                AppRecord record = after.get(i);
                switch (changes.get(i)) {
                    case CREATED -> {
                        log.info(
                                "app '{}' deployed as '{}' with {} replicas",
                                record.ref(),
                                record.id(),
                                record.replicas());
                        events.append(record.id(), AppEventType.DEPLOY, deployedMessage(record));
                    }
                    case UPDATED -> {
                        log.info("app '{}' ({}) redeployed: {}", record.ref(), record.id(), changedFields.get(i));
                        events.append(
                                record.id(),
                                AppEventType.REDEPLOY,
                                "redeployed '" + record.name() + "' as release v" + record.release() + ": changed "
                                        + String.join(", ", changedFields.get(i)) + "; " + record.replicas()
                                        + " replica" + (record.replicas() == 1 ? "" : "s"));
                    }
                    case UNCHANGED -> {
                        // Nothing happened, and the event log says nothing.
                    }
                }
                applied.add(new AppService.Applied(views.of(record, true), changes.get(i)));
            }
            if (!writes.isEmpty()) {
                reconcile.run();
            }
            return applied;
        }
    }

    /** Every spec checked, by the host and then by the cluster, and each dependency known, before anything is stored. */
    private void validateBatch(String owner, List<AppSpec> specs) {
        if (specs.isEmpty()) {
            throw PlatformException.invalid(
                    null, "the request holds no app spec; send one spec object or a list of them");
        }
        if (specs.size() > MAX_BATCH) {
            throw PlatformException.invalid(
                    null, "the request holds " + specs.size() + " apps; deploy at most " + MAX_BATCH + " at once");
        }
        Set<String> batchNames = new HashSet<>();
        for (AppSpec spec : specs) {
            AppSpecValidator.validate(spec);
            if (!batchNames.add(spec.name())) {
                throw PlatformException.invalid(
                        "name", "app '" + spec.name() + "' appears twice in the request; names are unique per user");
            }
        }
        for (AppSpec spec : specs) {
            for (String dependency : spec.dependencies()) {
                if (!batchNames.contains(dependency)
                        && store.get(AppRepository.NAMES, AppRepository.nameKey(owner, dependency))
                                .isEmpty()) {
                    throw PlatformException.invalid(
                            "dependencies",
                            "app '" + spec.name() + "' depends on '" + dependency
                                    + "', which you have not deployed; deploy it first or in the same file");
                }
            }
            cluster.validate(spec);
        }
    }

    private List<AppView> create(String owner, List<AppSpec> specs) {
        Instant now = clock.instant();
        List<AppRecord> records = new ArrayList<>();
        List<Write> writes = new ArrayList<>();
        for (AppSpec spec : specs) {
            AppRecord record =
                    new AppRecord(apps.newId(), owner, spec.name(), spec, true, spec.effectiveReplicas(), now, now);
            records.add(record);
            writes.add(Write.create(AppRepository.APPS, record.id(), JsonCodec.write(record)));
            writes.add(Write.create(AppRepository.NAMES, AppRepository.nameKey(owner, spec.name()), record.id()));
            writes.addAll(releases.first(record));
        }
        try {
            store.commit(writes);
        } catch (VersionConflictException e) {
            String name = e.collection().equals(AppRepository.NAMES)
                    ? e.key().substring(e.key().indexOf('/') + 1)
                    : "?";
            throw PlatformException.conflict("you already have an app named '" + name
                    + "'; remove it first ('emp remove " + name + "') or pick another name");
        }
        for (AppRecord record : records) {
            log.info("app '{}' deployed as '{}' with {} replicas", record.ref(), record.id(), record.replicas());
            events.append(record.id(), AppEventType.DEPLOY, deployedMessage(record));
        }
        reconcile.run();
        return records.stream().map(record -> views.of(record, true)).toList();
    }

    private static String deployedMessage(AppRecord record) {
        return "deployed '" + record.name() + "' with " + record.replicas() + " replica"
                + (record.replicas() == 1 ? "" : "s");
    }
}
