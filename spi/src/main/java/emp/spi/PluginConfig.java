package emp.spi;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A plugin's own section of the server configuration, e.g. every {@code store.redis.*} key, with the section prefix
 * removed ({@code url}, {@code prefix}). Values come from {@code conf/emp.yaml}, {@code EMP_*} environment variables
 * and {@code --set} flags, already merged by the host. Keys are matched without regard to case, and {@code -},
 * {@code _} and {@code .} are the same, so {@code EMP_STORE_REDIS_KEY_PREFIX} reaches {@code key-prefix}.
 *
 * <p>A plugin binds its section into its own record when it is created, calls {@link #requireKnown(Set)} so a typo
 * fails the start with the key's name, and reads values with the typed getters, which throw a
 * {@link PlatformException} of category {@link ErrorCategory#INVALID} naming the full key and what was expected.
 * Immutable and thread-safe.
 */
public final class PluginConfig {
    private final String section;
    private final Map<String, String> values;

    /**
     * @param section the section's full prefix, e.g. {@code store.redis}
     * @param values  the keys below it, without the prefix
     */
    public PluginConfig(String section, Map<String, String> values) {
        this.section = requireNonNull(section, "section is null");
        Map<String, String> canonical = new TreeMap<>();
        requireNonNull(values, "values is null")
                .forEach((key, value) ->
                        canonical.put(canonical(key), requireNonNull(value, "value of " + key + " is null")));
        this.values = Map.copyOf(canonical);
    }

    public static PluginConfig empty(String section) {
        return new PluginConfig(section, Map.of());
    }

    /** The canonical form of a key: lower case, with {@code .}, {@code -} and {@code _} all as {@code _}. */
    public static String canonical(String key) {
        return key.toLowerCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    public String section() {
        return section;
    }

    /** The full name of a key of this section, as a person would write it in {@code --set}. */
    public String fullKey(String key) {
        return section + "." + key;
    }

    /** The section's keys (canonical form) and values. */
    public Map<String, String> values() {
        return values;
    }

    /**
     * Fails when the section holds a key outside {@code knownKeys}.
     *
     * @throws PlatformException naming the unknown key and the keys that are known
     */
    public void requireKnown(Set<String> knownKeys) {
        Set<String> known = new TreeSet<>();
        knownKeys.forEach(key -> known.add(canonical(key)));
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw PlatformException.invalid(
                        fullKey(key),
                        "unknown configuration key '" + fullKey(key.replace('_', '-')) + "'; the keys of '" + section
                                + "' are " + (knownKeys.isEmpty() ? "none" : new TreeSet<>(knownKeys)));
            }
        }
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(canonical(key))).map(String::trim).filter(value -> !value.isEmpty());
    }

    public String string(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> raw = get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw expected(key, raw.get(), "an integer from " + min + " to " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw expected(key, raw.get(), "an integer from " + min + " to " + max);
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> raw = get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw expected(key, raw.get(), "true or false");
        };
    }

    /** A duration written as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 24h}, or ISO-8601 ({@code PT10S}). */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> raw = get(key);
        return raw.isEmpty() ? defaultValue : parseDuration(fullKey(key), raw.get());
    }

    /**
     * A duration above zero, as {@link #duration} reads it.
     *
     * @throws PlatformException naming the key when it is zero or negative
     * @since 0.3
     */
    public Duration positiveDuration(String key, Duration defaultValue) {
        Duration value = duration(key, defaultValue);
        if (value.isNegative() || value.isZero()) {
            throw expected(key, raw(key, value), "a duration above zero such as 500ms, 10s or 5m");
        }
        return value;
    }

    /**
     * A duration of zero or more, as {@link #duration} reads it.
     *
     * @throws PlatformException naming the key when it is negative
     * @since 0.3
     */
    public Duration nonNegativeDuration(String key, Duration defaultValue) {
        Duration value = duration(key, defaultValue);
        if (value.isNegative()) {
            throw expected(key, raw(key, value), "a duration of zero or more such as 0s, 500ms or 10s");
        }
        return value;
    }

    public Path path(String key, Path defaultValue) {
        return get(key).map(Path::of).orElse(defaultValue);
    }

    /**
     * Parses {@code 500ms}, {@code 10s}, {@code 5m}, {@code 24h}, {@code 2d} or ISO-8601.
     *
     * @param name the key to name in the error
     */
    public static Duration parseDuration(String name, String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("p")) {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            }
            if (value.endsWith("ms")) {
                return Duration.ofMillis(
                        Long.parseLong(value.substring(0, value.length() - 2).trim()));
            }
            long amount = Long.parseLong(value.substring(0, value.length() - 1).trim());
            return switch (value.charAt(value.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new NumberFormatException(value);
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw PlatformException.invalid(
                    name,
                    "configuration key '" + name + "' is '" + text
                            + "'; expected a duration such as 500ms, 10s, 5m or 24h");
        }
    }

    private String raw(String key, Duration value) {
        return get(key).orElse(value.toString());
    }

    private PlatformException expected(String key, String value, String expectation) {
        return PlatformException.invalid(
                fullKey(key), "configuration key '" + fullKey(key) + "' is '" + value + "'; expected " + expectation);
    }

    @Override
    public String toString() {
        return section + values.keySet();
    }
}
