package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.host.JsonCodec;
import emp.host.store.CachedStore;
import emp.spi.AppRef;
import emp.spi.PlatformException;
import emp.spi.store.ChangeListener;
import emp.spi.store.Entry;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Where apps are kept: the store's collections for them and how they are read and changed. An app is one entry in
 * {@value #APPS} (its record, by id) and one in {@value #NAMES} (its id, by {@code owner/name}); a removal leaves an
 * entry in {@value #REMOVALS} until the leader has removed its replicas. Every read by owner answers another user's
 * app as one that does not exist; every change is a compare-and-set, retried on a concurrent change.
 */
public final class AppRepository {
    static final String APPS = "apps";
    static final String NAMES = "app-names";
    /** The collections every request reads, which the host holds whole in memory ({@link CachedStore}). */
    public static final Set<String> HELD_IN_MEMORY = Set.of(APPS, NAMES);
    /** Apps removed whose replicas the leader has yet to remove, by {@code owner/name}: whether to purge their data. */
    static final String REMOVALS = "app-removals";

    private static final String PURGE = "purge";
    private static final String KEEP = "keep";
    private static final int CAS_ATTEMPTS = 10;

    private final CachedStore store;
    private final DecodedApps decoded = new DecodedApps();
    /** One lock per user: a user's quota is checked and the change stored under it. */
    private final Map<String, Object> ownerLocks = new ConcurrentHashMap<>();

    private final SecureRandom random = new SecureRandom();

    AppRepository(CachedStore store) {
        this.store = requireNonNull(store, "store is null");
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

    /** The owner's lock: a user's quota is checked and the change stored under it. */
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

    AppRecord mutate(String owner, String idOrName, UnaryOperator<AppRecord> change) {
        return mutate(owner, idOrName, change, List.of());
    }

    /** Applies {@code change} by compare-and-set, retried on a concurrent change; a failed condition is not retried. */
    AppRecord mutate(String owner, String idOrName, UnaryOperator<AppRecord> change, List<Write> conditions) {
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

    /** The store the apps are in, for a release's commit with its app. */
    CachedStore store() {
        return store;
    }

    /** A new app id: 10 hex digits. */
    String newId() {
        byte[] bytes = new byte[5];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static String nameKey(String owner, String name) {
        return owner + "/" + name;
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
     * Deletes the app's record and name, and records its removal for the leader (with whether to purge its data), in
     * one commit.
     *
     * @return the app as it was
     */
    AppRecord delete(String owner, String idOrName, boolean purge) {
        for (int attempt = 0; ; attempt++) {
            Found found = find(owner, idOrName);
            AppRecord record = found.record();
            try {
                store.commit(List.of(
                        Write.delete(APPS, record.id(), found.version()),
                        Write.delete(NAMES, nameKey(owner, record.name()), Write.ANY),
                        Write.update(REMOVALS, record.ref().toString(), purge ? PURGE : KEEP, Write.ANY)));
                return record;
            } catch (VersionConflictException e) {
                if (attempt >= CAS_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Every user's apps' records, in the order of their names' keys. */
    List<AppRecord> everyOwnersRecords() {
        List<AppRecord> all = new ArrayList<>();
        for (Entry entry : store.list(NAMES)) {
            store.get(APPS, entry.value()).map(decoded::of).ifPresent(all::add);
        }
        return all;
    }
}
