package emp.host.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server's configuration: {@code conf/emp.yaml}, then {@code EMP_*} environment variables, then flags and
 * {@code --set KEY=VALUE}, each overriding the one before. Held flat, as dotted keys in canonical form (see
 * {@link PluginConfig#canonical}), so {@code EMP_STORE_REDIS_URL}, {@code store.redis.url} in YAML and
 * {@code --set store.redis.url=...} all reach the same key.
 *
 * <p>The host's own keys are {@link HostKey}s and are checked strictly: an unknown key outside a plugin section
 * fails the start with its name. Keys below {@code <point>.<plugin>.} (e.g. {@code store.redis.url}) belong to that
 * plugin, which checks them itself when it is created.
 */
public final class ServerConfig {
    /** Extension points whose sections hold plugin keys: {@code cluster.local.*}, {@code store.file.*}... */
    public static final Set<String> POINTS = Set.of("cluster", "store", "tracing", "scheduler");

    private final Map<String, String> values;
    private final Map<String, String> spelling;

    private ServerConfig(Map<String, String> values, Map<String, String> spelling) {
        this.values = Map.copyOf(values);
        this.spelling = Map.copyOf(spelling);
    }

    /**
     * Merges the layers.
     *
     * @param yamlFile  the YAML file, or null for none; a file that does not exist is an error
     * @param env       the process environment; only {@code EMP_} variables naming a known host key or a plugin
     *                  section are read ({@code EMP_HOME} and the CLI's own variables are not configuration)
     * @param overrides flags and {@code --set} pairs, in order
     */
    public static ServerConfig load(Path yamlFile, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> spelling = new LinkedHashMap<>();
        if (yamlFile != null) {
            readYaml(yamlFile).forEach((key, value) -> put(values, spelling, key, value));
        }
        env.forEach((name, value) -> {
            if (name.startsWith("EMP_")) {
                String key = name.substring(4).toLowerCase().replace('_', '.');
                if (HostKey.byCanonical(PluginConfig.canonical(key)).isPresent() || isPluginSection(key)) {
                    put(values, spelling, key, value);
                }
            }
        });
        overrides.forEach((key, value) -> put(values, spelling, key, value));
        ServerConfig config = new ServerConfig(values, spelling);
        config.requireKnownHostKeys();
        return config;
    }

    private static void put(Map<String, String> values, Map<String, String> spelling, String key, String value) {
        String canonical = PluginConfig.canonical(key.trim());
        values.put(canonical, value == null ? "" : value);
        spelling.putIfAbsent(canonical, key.trim());
    }

    private static boolean isPluginSection(String dottedKey) {
        int dot = dottedKey.indexOf('.');
        return dot > 0 && POINTS.contains(dottedKey.substring(0, dot)) && dottedKey.indexOf('.', dot + 1) > dot + 1;
    }

    private static Map<String, String> readYaml(Path file) {
        if (!Files.isRegularFile(file)) {
            throw PlatformException.invalid(
                    "config",
                    "configuration file '" + file + "' does not exist; pass an existing file or leave --config out");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw PlatformException.invalid(
                    "config", "configuration file '" + file + "' is not valid YAML: " + e.getMessage());
        }
        Map<String, String> flat = new TreeMap<>();
        if (root != null && !root.isNull() && !root.isMissingNode()) {
            if (!root.isObject()) {
                throw PlatformException.invalid(
                        "config",
                        "configuration file '" + file + "' must hold a mapping of keys, such as 'api:' and 'store:'");
            }
            flatten("", root, flat, file);
        }
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> flat, Path file) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(key, value, flat, file);
            } else if (value.isArray()) {
                throw PlatformException.invalid(
                        key, "configuration key '" + key + "' in '" + file + "' is a list; write a single value");
            } else if (!value.isNull()) {
                flat.put(key, value.asText());
            }
        }
    }

    private void requireKnownHostKeys() {
        for (String canonical : values.keySet()) {
            String key = spelling.get(canonical);
            if (HostKey.byCanonical(canonical).isPresent() || isPluginSection(key.replace('_', '.'))) {
                continue;
            }
            Set<String> known = new TreeSet<>();
            for (HostKey hostKey : HostKey.values()) {
                known.add(hostKey.key());
            }
            throw PlatformException.invalid(
                    key,
                    "unknown configuration key '" + key + "'; the server's keys are " + known
                            + ", and plugin keys go below <point>.<plugin>., e.g. store.redis.url");
        }
    }

    /** This configuration with {@code key} set to {@code value} unless it is set already. */
    public ServerConfig withDefault(String key, String value) {
        String canonical = PluginConfig.canonical(key);
        if (values.containsKey(canonical)) {
            return this;
        }
        Map<String, String> newValues = new LinkedHashMap<>(values);
        Map<String, String> newSpelling = new LinkedHashMap<>(spelling);
        put(newValues, newSpelling, key, value);
        return new ServerConfig(newValues, newSpelling);
    }

    public boolean bool(HostKey key) {
        String value = string(key).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (value) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off", "" -> false;
            default ->
                throw PlatformException.invalid(
                        key.key(), "configuration key '" + key.key() + "' is '" + value + "'; expected true or false");
        };
    }

    public String string(HostKey key) {
        return raw(key).orElse(key.defaultValue());
    }

    public int integer(HostKey key, int min, int max) {
        String value = string(key);
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw PlatformException.invalid(
                key.key(),
                "configuration key '" + key.key() + "' is '" + value + "'; expected an integer from " + min + " to "
                        + max);
    }

    public Duration duration(HostKey key) {
        return PluginConfig.parseDuration(key.key(), string(key));
    }

    public Optional<String> raw(HostKey key) {
        return Optional.ofNullable(values.get(PluginConfig.canonical(key.key())))
                .map(String::trim)
                .filter(v -> !v.isEmpty());
    }

    /** The section of plugin {@code name} at extension point {@code point}: every key below {@code point.name.}. */
    public PluginConfig pluginSection(String point, String name) {
        String prefix = PluginConfig.canonical(point + "." + name) + "_";
        Map<String, String> section = new TreeMap<>();
        values.forEach((canonical, value) -> {
            if (canonical.startsWith(prefix)) {
                section.put(canonical.substring(prefix.length()), value);
            }
        });
        return new PluginConfig(point + "." + name, section);
    }

    /** Every key that is set, as first spelled, for the start-up log; values of secret-looking keys are masked. */
    public Map<String, String> describe() {
        Map<String, String> described = new TreeMap<>();
        values.forEach(
                (canonical, value) -> described.put(spelling.get(canonical), isSecret(canonical) ? "****" : value));
        return described;
    }

    private static boolean isSecret(String canonical) {
        return canonical.contains("password")
                || canonical.contains("secret")
                || canonical.contains("token")
                || canonical.endsWith("_url") && canonical.startsWith("store_");
    }

    @Override
    public String toString() {
        return describe().toString();
    }
}
