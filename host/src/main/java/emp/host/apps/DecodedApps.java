package emp.host.apps;

import emp.host.JsonCodec;
import emp.spi.store.Entry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The apps' records as decoded from the store's JSON, kept by id and version: an app read again at the version it was
 * read before costs a map lookup, not a parse, so a list, a reconcile pass or a scaling tick costs what changed. Records
 * are immutable, so one decoded record serves every reader. Thread-safe.
 */
final class DecodedApps {
    private record Decoded(long version, String json, AppRecord record) {}

    private final ConcurrentHashMap<String, Decoded> byId = new ConcurrentHashMap<>();

    /** The record an entry of the apps collection holds. */
    AppRecord of(Entry entry) {
        Decoded known = byId.get(entry.key());
        // The version says it is the same, unless the entry was deleted and made again: then the text says.
        if (known != null && known.version() == entry.version() && known.json().equals(entry.value())) {
            return known.record();
        }
        AppRecord record = JsonCodec.readStored(entry.value(), AppRecord.class);
        byId.put(entry.key(), new Decoded(entry.version(), entry.value(), record));
        return record;
    }

    /** Forgets the apps not among {@code ids}: those removed. */
    void retain(Set<String> ids) {
        byId.keySet().retainAll(ids);
    }
}
