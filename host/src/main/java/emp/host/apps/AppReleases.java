package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.host.JsonCodec;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.cluster.ClusterManager;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An app's releases and what makes them besides a deploy: its config, its secrets, a rollback by hand and one that
 * the platform makes when a release's replicas do not become ready. Every change of what an app runs is one commit
 * that updates the app and adds its release, so every server sees the same numbered history. Part of
 * {@link AppService}.
 */
public final class AppReleases {
    private static final Logger log = LoggerFactory.getLogger(AppReleases.class);
    private static final int CAS_ATTEMPTS = 10;
    /** Who makes the releases the platform makes by itself. */
    static final String PLATFORM = "emp";

    private final AppRepository apps;
    private final ReleaseLog releases;
    private final SecretBox secretBox;
    private final ClusterManager cluster;
    private final EventLog events;
    private final Clock clock;
    private final Runnable reconcile;

    AppReleases(
            AppRepository apps,
            SecretBox secretBox,
            ClusterManager cluster,
            EventLog events,
            Clock clock,
            Runnable reconcile) {
        this.apps = requireNonNull(apps, "apps is null");
        this.releases = new ReleaseLog(apps.store());
        this.secretBox = requireNonNull(secretBox, "secretBox is null");
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.events = requireNonNull(events, "events is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.reconcile = requireNonNull(reconcile, "reconcile is null");
    }

    /** The config of an app, and the release it belongs to. */
    public record ConfigView(int release, Map<String, String> config) {}

    /** The names of an app's secrets, and the release they belong to. */
    public record SecretsView(int release, List<String> secrets) {}

    /** What a change of config or secrets did: the release the app runs after it, and whether it made one. */
    public record VariablesChange(int release, boolean changed, Map<String, String> config, List<String> secrets) {}

    public List<ReleaseView> list(String owner, String idOrName, int limit) {
        AppRecord app = apps.find(owner, idOrName).record();
        return releases.newest(app.id(), limit).stream()
                .map(release -> ReleaseView.of(release, app))
                .toList();
    }

    public ReleaseView get(String owner, String idOrName, int version) {
        AppRecord app = apps.find(owner, idOrName).record();
        return ReleaseView.of(stored(app, version), app);
    }

    public ConfigView config(String owner, String idOrName) {
        AppRecord app = apps.find(owner, idOrName).record();
        return new ConfigView(app.release(), app.config());
    }

    public SecretsView secrets(String owner, String idOrName) {
        AppRecord app = apps.find(owner, idOrName).record();
        return new SecretsView(app.release(), List.copyOf(app.secrets().keySet()));
    }

    /** Sets and unsets config variables: a new release, rolled, unless nothing changes. */
    public VariablesChange changeConfig(
            String owner, String idOrName, Map<String, String> set, Collection<String> unset, String actor) {
        checkChange("config", set, unset);
        Outcome after = release(owner, idOrName, actor, app -> {
            requireNotIn(set.keySet(), app.secrets(), "a secret", "secrets");
            Map<String, String> config = new TreeMap<>(app.config());
            List<String> changed = changedKeys(app.config(), set, unset);
            config.putAll(set);
            unset.forEach(config::remove);
            AppSpecValidator.requireVariableCount("config", config.size());
            return changed.isEmpty()
                    ? null
                    : new Next(app.spec(), config, app.secrets(), describe("config", set.keySet(), unset, changed));
        });
        return after.variables();
    }

    /** Sets and unsets secrets, sealed before they are stored: a new release, rolled, unless nothing changes. */
    public VariablesChange changeSecrets(
            String owner, String idOrName, Map<String, String> set, Collection<String> unset, String actor) {
        checkChange("secrets", set, unset);
        Outcome after = release(owner, idOrName, actor, app -> {
            requireNotIn(set.keySet(), app.config(), "a config variable", "config");
            Map<String, String> secrets = new TreeMap<>(app.secrets());
            List<String> changed = new ArrayList<>();
            set.forEach((name, value) -> {
                String sealedValue = app.secrets().get(name);
                if (sealedValue == null || !value.equals(openQuietly(app.id(), name, sealedValue))) {
                    changed.add(name);
                    secrets.put(name, secretBox.seal(app.id(), name, value));
                }
            });
            for (String name : unset) {
                if (secrets.remove(name) != null) {
                    changed.add(name);
                }
            }
            AppSpecValidator.requireVariableCount("secrets", secrets.size());
            return changed.isEmpty()
                    ? null
                    : new Next(app.spec(), app.config(), secrets, describe("secrets", set.keySet(), unset, changed));
        });
        return after.variables();
    }

    /**
     * Goes back to what release {@code version} ran (the one before the current when null), as a new release.
     *
     * @throws PlatformException NOT_FOUND for a release the app does not have, CONFLICT for the one it runs now
     */
    public ReleaseView rollback(String owner, String idOrName, Integer version, String actor) {
        cluster.requireAvailable();
        Outcome after = release(owner, idOrName, actor, app -> {
            int target = version == null ? app.release() - 1 : version;
            if (target < 1) {
                throw PlatformException.conflict("app '" + app.name() + "' has no release before v" + app.release()
                        + "; 'emp releases " + app.name() + "' lists its releases");
            }
            if (target == app.release()) {
                throw PlatformException.conflict("app '" + app.name() + "' runs v" + target
                        + " now; name another release ('emp releases " + app.name() + "' lists them)");
            }
            Release to = stored(app, target);
            cluster.validate(to.spec());
            return new Next(to.spec(), to.config(), to.secrets(), "rollback to v" + target, target);
        });
        return ReleaseView.of(
                releases.get(after.app().id(), after.app().release())
                        .orElseThrow()
                        .release(),
                after.app());
    }

    /**
     * Records that release {@code version} of the app did not become ready, and, if the app still runs it, goes back
     * to the newest release before it that did, as a new release made by the platform.
     *
     * @return the release the app was rolled back to, if it was
     */
    public Optional<Release> failed(String appId, int version, String why) {
        Optional<AppRecord> runs = apps.recordOf(appId).filter(app -> app.release() == version);
        Optional<Release> good = runs.flatMap(app -> lastSucceededBefore(appId, version));
        String outcome = runs.map(app -> good.map(back -> "\n'" + app.name() + "' goes back to release v"
                                + back.version() + ", which keeps serving")
                        .orElse("\nno release of '" + app.name() + "' ran before, so there is none to go back to"))
                .orElse("");
        if (!releases.settle(appId, version, ReleaseStatus.FAILED, why + outcome)) {
            return Optional.empty();
        }
        // The first line only: the rest quotes the app's own log, which is its owner's to read, not the server log's.
        log.warn(
                "release v{} of app {} failed: {}",
                version,
                appId,
                why.lines().findFirst().orElse(""));
        if (good.isEmpty()) {
            events.append(appId, AppEventType.RELEASE, "release v" + version + " failed: " + why + outcome);
            return Optional.empty();
        }
        try {
            Outcome after = release(
                    runs.get().owner(),
                    appId,
                    PLATFORM,
                    record -> record.release() != version
                            ? null
                            : new Next(
                                    good.get().spec(),
                                    good.get().config(),
                                    good.get().secrets(),
                                    "automatic rollback to v" + good.get().version() + ": v" + version + " failed",
                                    good.get().version()));
            if (!after.changed()) {
                events.append(appId, AppEventType.RELEASE, "release v" + version + " failed: " + why);
                return Optional.empty();
            }
            events.append(
                    appId,
                    AppEventType.ROLLBACK,
                    "release v" + version + " failed, rolled back to v"
                            + good.get().version() + " as v" + after.app().release() + ": " + why);
            return good;
        } catch (PlatformException e) {
            log.warn("cannot roll app {} back from failed release v{}: {}", appId, version, e.getMessage());
            return Optional.empty();
        }
    }

    /** Records that release {@code version} of the app became ready everywhere. */
    public void succeeded(String appId, int version, String message) {
        if (releases.settle(appId, version, ReleaseStatus.SUCCEEDED, message)) {
            events.append(appId, AppEventType.RELEASE, "release v" + version + " is live: " + message);
        }
    }

    /** The release an app runs now, when it is still rolling out. */
    public Optional<Release> pending(AppRecord app) {
        return releases.get(app.id(), app.release())
                .map(ReleaseLog.Stored::release)
                .filter(release -> release.status() == ReleaseStatus.PENDING);
    }

    /** The writes that add the first release of a new app. */
    List<Write> first(AppRecord app) {
        return releases.add(Release.first(app, app.owner()), 0);
    }

    /** The writes that add the release a redeploy makes, which changed {@code fields} of the spec. */
    List<Write> redeployed(AppRecord before, AppRecord after, List<String> fields) {
        Release release = new Release(
                after.release(),
                after.id(),
                after.spec(),
                after.config(),
                after.secrets(),
                after.updatedAt(),
                after.owner(),
                "changed " + String.join(", ", fields),
                ReleaseStatus.PENDING,
                null,
                null);
        return releases.add(release, before.release());
    }

    void forget(String appId) {
        releases.deleteAll(appId);
    }

    /** The variables of an app's replicas as the cluster gets them: the secrets opened. */
    public Map<String, String> openSecrets(AppRecord app) {
        Map<String, String> open = new TreeMap<>();
        app.secrets().forEach((name, sealedValue) -> open.put(name, secretBox.open(app.id(), name, sealedValue)));
        return open;
    }

    /** What a change makes the app run, and how its release says so. */
    private record Next(
            AppSpec spec,
            Map<String, String> config,
            Map<String, String> secrets,
            String description,
            Integer rollbackOf) {
        Next(AppSpec spec, Map<String, String> config, Map<String, String> secrets, String description) {
            this(spec, config, secrets, description, null);
        }
    }

    /** The app after a change, and whether the change made a release. */
    private record Outcome(AppRecord app, boolean changed) {
        VariablesChange variables() {
            return new VariablesChange(
                    app.release(),
                    changed,
                    app.config(),
                    List.copyOf(app.secrets().keySet()));
        }
    }

    /**
     * Applies {@code change} to the app by compare-and-set with its new release in the same commit, retried on a
     * concurrent change; a null {@code Next} changes nothing.
     */
    private Outcome release(String owner, String idOrName, String actor, Function<AppRecord, Next> change) {
        for (int attempt = 0; ; attempt++) {
            AppRepository.Found found = apps.find(owner, idOrName);
            AppRecord app = found.record();
            Next next = change.apply(app);
            if (next == null) {
                return new Outcome(app, false);
            }
            Instant now = clock.instant();
            int version = app.release() + 1;
            AppRecord after = app.withRelease(version, next.spec(), next.config(), next.secrets(), now);
            int replicas = Math.max(
                    next.spec().effectiveMinReplicas(), Math.min(next.spec().effectiveMaxReplicas(), after.replicas()));
            after = after.withReplicas(replicas, now);
            Release release = new Release(
                    version,
                    app.id(),
                    next.spec(),
                    next.config(),
                    next.secrets(),
                    now,
                    actor,
                    next.description(),
                    ReleaseStatus.PENDING,
                    null,
                    next.rollbackOf());
            List<Write> writes = new ArrayList<>();
            writes.add(Write.update(AppRepository.APPS, app.id(), JsonCodec.write(after), found.version()));
            writes.addAll(releases.add(release, app.release()));
            try {
                apps.store().commit(writes);
            } catch (VersionConflictException e) {
                if (attempt >= CAS_ATTEMPTS) {
                    throw PlatformException.conflict(
                            "app '" + app.name() + "' is being changed by others right now; try again");
                }
                continue;
            }
            log.info("app '{}' ({}) release v{} by {}: {}", app.ref(), app.id(), version, actor, next.description());
            if (!PLATFORM.equals(actor)) {
                events.append(
                        app.id(),
                        AppEventType.RELEASE,
                        "release v" + version + " by " + actor + ": " + next.description());
            }
            reconcile.run();
            return new Outcome(after, true);
        }
    }

    private Release stored(AppRecord app, int version) {
        return releases.get(app.id(), version)
                .map(ReleaseLog.Stored::release)
                .orElseThrow(() -> PlatformException.notFound("app '" + app.name() + "' has no release v" + version
                        + "; 'emp releases " + app.name() + "' lists the ones kept"));
    }

    private Optional<Release> lastSucceededBefore(String appId, int version) {
        return releases.newest(appId, ReleaseLog.KEPT).stream()
                .filter(release -> release.version() < version && release.status() == ReleaseStatus.SUCCEEDED)
                .findFirst();
    }

    private String openQuietly(String appId, String name, String sealedValue) {
        try {
            return secretBox.open(appId, name, sealedValue);
        } catch (PlatformException e) {
            return null;
        }
    }

    private static void checkChange(String what, Map<String, String> set, Collection<String> unset) {
        if (set.isEmpty() && unset.isEmpty()) {
            throw PlatformException.invalid(
                    null,
                    "the change sets and unsets nothing; send {\"set\": {\"NAME\": \"value\"}, \"unset\": [...]}");
        }
        set.forEach((name, value) -> AppSpecValidator.validateVariable(what, name, value));
        for (String name : unset) {
            AppSpecValidator.validateVariable(what, name, "");
            if (set.containsKey(name)) {
                throw PlatformException.invalid(
                        what, "'" + name + "' is both set and unset in one change; do one or the other");
            }
        }
    }

    private static void requireNotIn(
            Collection<String> names, Map<String, String> other, String otherKind, String otherCommand) {
        for (String name : names) {
            if (other.containsKey(name)) {
                throw PlatformException.conflict("'" + name + "' is " + otherKind + " of this app already; 'emp "
                        + otherCommand + " unset' it first, so that one place says its value");
            }
        }
    }

    private static List<String> changedKeys(
            Map<String, String> before, Map<String, String> set, Collection<String> unset) {
        List<String> changed = new ArrayList<>();
        set.forEach((name, value) -> {
            if (!Objects.equals(before.get(name), value)) {
                changed.add(name);
            }
        });
        unset.stream().filter(before::containsKey).forEach(changed::add);
        return changed;
    }

    private static String describe(
            String what, Collection<String> set, Collection<String> unset, List<String> changed) {
        List<String> setChanged = set.stream().filter(changed::contains).toList();
        List<String> unsetChanged = unset.stream().filter(changed::contains).toList();
        List<String> parts = new ArrayList<>();
        if (!setChanged.isEmpty()) {
            parts.add("set " + what + " " + String.join(", ", setChanged));
        }
        if (!unsetChanged.isEmpty()) {
            parts.add("unset " + what + " " + String.join(", ", unsetChanged));
        }
        return String.join("; ", parts);
    }
}
