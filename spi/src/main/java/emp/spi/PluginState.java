package emp.spi;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A few small values a plugin keeps in the platform's state store: kept across restarts and shared by every server of
 * the control plane, so that whichever server leads next finds them (a Mesos framework's id, the tasks it launched).
 * The keys are the plugin's own; no plugin reads another's. Values are short strings (the plugin encodes them), written
 * whole, the last write winning: for what one server (the leader) writes at a time.
 *
 * <p>Thread-safe. A store that cannot be reached makes every method throw a {@link PlatformException} of category
 * UNAVAILABLE.
 *
 * @since 0.3 (the Mesos cluster keeps its framework identity in it)
 */
public interface PluginState {
    /** The value under {@code key}, or empty. */
    Optional<String> get(String key);

    /** Every key of this plugin's and its value, ordered by key. */
    Map<String, String> all();

    /** Sets {@code key} to {@code value}, whatever it held before. */
    void put(String key, String value);

    /** Forgets {@code key}; does nothing when it is not set. */
    void remove(String key);

    /** A state held in this process's memory only: for tests and tools that run a plugin without a server. */
    static PluginState inMemory() {
        Map<String, String> values = new ConcurrentSkipListMap<>();
        return new PluginState() {
            @Override
            public Optional<String> get(String key) {
                return Optional.ofNullable(values.get(key));
            }

            @Override
            public Map<String, String> all() {
                return new TreeMap<>(values);
            }

            @Override
            public void put(String key, String value) {
                values.put(key, value);
            }

            @Override
            public void remove(String key) {
                values.remove(key);
            }
        };
    }
}
