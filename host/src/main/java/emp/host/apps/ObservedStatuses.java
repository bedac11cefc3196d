package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.host.JsonCodec;
import emp.host.lead.Leadership;
import emp.spi.AppRef;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.InstanceStatus;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.Write;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The observed status of every app, kept in the store by the leading server (collection {@value #OBSERVED}, keyed by
 * app id) for the servers that stand by: they answer the API from it and route their gateway to its replicas. The
 * leader writes an app's status only when it changed, and every write is fenced by its term, so a deposed leader
 * cannot overwrite what the new one observes.
 */
public final class ObservedStatuses {
    static final String OBSERVED = "observed";

    private final StateStore store;
    private final String server;
    /** What this server last wrote per app id, so that an unchanged status costs no write. */
    private final Map<String, ObservedStatus> written = new ConcurrentHashMap<>();

    /** @param server this server's id, recorded with what it observes */
    public ObservedStatuses(StateStore store, String server) {
        this.store = requireNonNull(store, "store is null");
        this.server = requireNonNull(server, "server is null");
    }

    /** Records what the cluster runs for an app, when it changed; only while {@code leadership} leads. */
    public void record(String appId, AppStatus status, Leadership leadership) {
        ObservedStatus observed = ObservedStatus.of(server, status);
        if (observed.equals(written.get(appId))) {
            return;
        }
        List<Write> writes = new ArrayList<>(leadership.fence());
        writes.add(Write.update(OBSERVED, appId, JsonCodec.write(observed), Write.ANY));
        store.commit(writes);
        written.put(appId, observed);
    }

    /** Deletes the statuses of apps other than {@code appIds} (removed apps); only while {@code leadership} leads. */
    public void retain(Set<String> appIds, Leadership leadership) {
        written.keySet().retainAll(appIds);
        for (Entry entry : store.list(OBSERVED)) {
            if (!appIds.contains(entry.key())) {
                List<Write> writes = new ArrayList<>(leadership.fence());
                writes.add(Write.delete(OBSERVED, entry.key(), entry.version()));
                store.commit(writes);
            }
        }
    }

    /** Forgets what this server wrote, so that it writes every status again when it next leads. */
    public void forgetWritten() {
        written.clear();
    }

    /** The status the leader last recorded for an app, if any. */
    public Optional<AppStatus> read(String appId) {
        return store.get(OBSERVED, appId)
                .map(entry -> JsonCodec.readStored(entry.value(), ObservedStatus.class)
                        .toStatus());
    }

    /**
     * Every app's replicas as another server, the leader, last recorded them. What this server itself recorded, in an
     * earlier run under the same id, is left out: those replicas are this cluster's own, adopted at its start if
     * they still run, not another server's to route to (and to stop its own for).
     */
    public Map<AppRef, List<InstanceStatus>> all() {
        Map<AppRef, List<InstanceStatus>> all = new HashMap<>();
        for (Entry entry : store.list(OBSERVED)) {
            ObservedStatus observed = JsonCodec.readStored(entry.value(), ObservedStatus.class);
            if (observed.server().equals(server)) {
                continue;
            }
            AppStatus status = observed.toStatus();
            all.put(status.app(), status.instances());
        }
        return all;
    }
}
