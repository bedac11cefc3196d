package emp.host.plugin;

import static java.util.Objects.requireNonNull;

import emp.spi.PluginState;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.Write;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A plugin's {@link PluginState} in the platform's state store: a collection of its own, {@code plugin-state/<id>}, so
 * that no plugin reads another's keys and listing one plugin's keys reads nothing of the others'.
 */
public final class StoredPluginState implements PluginState {
    private final StateStore store;
    private final String collection;

    public StoredPluginState(StateStore store, String pluginId) {
        this.store = requireNonNull(store, "store is null");
        this.collection = "plugin-state/" + requireNonNull(pluginId, "pluginId is null");
    }

    @Override
    public Optional<String> get(String key) {
        return store.get(collection, key).map(Entry::value);
    }

    @Override
    public Map<String, String> all() {
        Map<String, String> values = new LinkedHashMap<>();
        for (Entry entry : store.list(collection)) {
            values.put(entry.key(), entry.value());
        }
        return values;
    }

    @Override
    public void put(String key, String value) {
        store.commit(new Write(collection, key, requireNonNull(value, "value is null"), Write.ANY));
    }

    @Override
    public void remove(String key) {
        store.commit(Write.delete(collection, key, Write.ANY));
    }
}
