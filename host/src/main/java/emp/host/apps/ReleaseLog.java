package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.host.JsonCodec;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where an app's releases are kept: the store's collection {@code releases/<app id>}, one entry per version, the
 * newest {@value #KEPT} kept. Writes are handed back, so that a release is made in the same commit as the app's
 * change to it.
 */
final class ReleaseLog {
    /** How many releases of an app are kept; the oldest go as new ones come. */
    static final int KEPT = 100;

    private final StateStore store;

    ReleaseLog(StateStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    /** A stored release and its store version, for a compare-and-set of its status. */
    record Stored(Release release, long version) {}

    /**
     * The writes that add {@code release}, drop the one that falls out of the kept window, and mark the release it
     * replaces superseded if that one was still rolling out.
     */
    List<Write> add(Release release, int replacedVersion) {
        List<Write> writes = new ArrayList<>();
        writes.add(Write.create(collection(release.appId()), key(release.version()), JsonCodec.write(release)));
        int dropped = release.version() - KEPT;
        if (dropped >= 1) {
            get(release.appId(), dropped)
                    .ifPresent(
                            old -> writes.add(Write.delete(collection(release.appId()), key(dropped), old.version())));
        }
        get(release.appId(), replacedVersion)
                .filter(replaced -> replaced.release().status() == ReleaseStatus.PENDING)
                .ifPresent(replaced -> writes.add(update(
                        replaced,
                        ReleaseStatus.SUPERSEDED,
                        "v" + release.version() + " replaced it before its replicas were all ready")));
        return writes;
    }

    Optional<Stored> get(String appId, int version) {
        return store.get(collection(appId), key(version))
                .map(entry -> new Stored(JsonCodec.readStored(entry.value(), Release.class), entry.version()));
    }

    /** The newest {@code limit} releases, newest first. */
    List<Release> newest(String appId, int limit) {
        return store.list(collection(appId)).stream()
                .map(entry -> JsonCodec.readStored(entry.value(), Release.class))
                .sorted(Comparator.comparingInt(Release::version).reversed())
                .limit(limit)
                .toList();
    }

    /**
     * Moves a pending release to {@code status}; false when it is no longer pending (another server, or a later
     * release, got there first).
     */
    boolean settle(String appId, int version, ReleaseStatus status, String message) {
        Optional<Stored> stored = get(appId, version);
        if (stored.isEmpty() || stored.get().release().status() != ReleaseStatus.PENDING) {
            return false;
        }
        try {
            store.commit(update(stored.get(), status, message));
            return true;
        } catch (VersionConflictException e) {
            return false;
        }
    }

    /** Forgets every release of a removed app. */
    void deleteAll(String appId) {
        for (Entry entry : store.list(collection(appId))) {
            store.commit(Write.delete(collection(appId), entry.key(), Write.ANY));
        }
    }

    private static Write update(Stored stored, ReleaseStatus status, String message) {
        Release release = stored.release();
        return Write.update(
                collection(release.appId()),
                key(release.version()),
                JsonCodec.write(release.withStatus(status, message)),
                stored.version());
    }

    private static String collection(String appId) {
        return "releases/" + appId;
    }

    private static String key(int version) {
        return String.format("%010d", version);
    }
}
