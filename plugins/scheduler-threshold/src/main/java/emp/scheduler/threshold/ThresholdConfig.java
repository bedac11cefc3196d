package emp.scheduler.threshold;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The {@code scheduler.threshold} section of the server configuration.
 *
 * @param minSpans          the fewest server spans an app's window must hold before the app is judged at all
 *                          ({@code min-spans}, default 20); below it the figures are noise and the app is left alone
 * @param scaleDownBelow    how far under each of its targets an app must be to lose a replica, as a fraction of the
 *                          target ({@code scale-down-below}, default 0.5: a p95 under half its target)
 * @param lowRatePerReplica the requests per second per replica under which an app's load counts as low
 *                          ({@code low-rate-per-replica}); by default none is fixed, and each app's own figure is used:
 *                          the rate per ready replica at which it last missed a target, or
 *                          {@link #FALLBACK_LOW_RATE_PER_REPLICA} while it has not missed one
 */
public record ThresholdConfig(int minSpans, double scaleDownBelow, OptionalDouble lowRatePerReplica) {

    /** The section's prefix in the server configuration. */
    public static final String SECTION = "scheduler.threshold";

    static final String MIN_SPANS = "min-spans";
    static final String SCALE_DOWN_BELOW = "scale-down-below";
    static final String LOW_RATE_PER_REPLICA = "low-rate-per-replica";

    /** The section's keys. */
    public static final Set<String> KEYS = Set.of(MIN_SPANS, SCALE_DOWN_BELOW, LOW_RATE_PER_REPLICA);

    static final int DEFAULT_MIN_SPANS = 20;
    static final double DEFAULT_SCALE_DOWN_BELOW = 0.5;

    /** The rate per replica, in requests per second, that counts as low for an app that has not missed a target. */
    public static final double FALLBACK_LOW_RATE_PER_REPLICA = 5;

    public ThresholdConfig {
        requireNonNull(lowRatePerReplica, "lowRatePerReplica is null");
        if (minSpans < 1) {
            throw new IllegalArgumentException("minSpans is below 1: " + minSpans);
        }
        if (!(scaleDownBelow > 0 && scaleDownBelow < 1)) {
            throw new IllegalArgumentException("scaleDownBelow is not between 0 and 1: " + scaleDownBelow);
        }
        if (lowRatePerReplica.isPresent() && !positive(lowRatePerReplica.getAsDouble())) {
            throw new IllegalArgumentException("lowRatePerReplica is not positive: " + lowRatePerReplica);
        }
    }

    /** The defaults: 20 spans, half the target, each app's own low rate. */
    public static ThresholdConfig defaults() {
        return new ThresholdConfig(DEFAULT_MIN_SPANS, DEFAULT_SCALE_DOWN_BELOW, OptionalDouble.empty());
    }

    /**
     * Binds and checks the section.
     *
     * @throws PlatformException of category INVALID naming an unknown key or a value that is out of range
     */
    public static ThresholdConfig from(PluginConfig config) {
        requireNonNull(config, "config is null");
        config.requireKnown(KEYS);
        int minSpans = config.integer(MIN_SPANS, DEFAULT_MIN_SPANS, 1, Integer.MAX_VALUE);
        double scaleDownBelow = number(
                        config, SCALE_DOWN_BELOW, "a fraction of the target between 0 and 1, such as 0.5")
                .orElse(DEFAULT_SCALE_DOWN_BELOW);
        if (!(scaleDownBelow > 0 && scaleDownBelow < 1)) {
            throw expected(config, SCALE_DOWN_BELOW, "a fraction of the target between 0 and 1, such as 0.5");
        }
        Optional<Double> lowRate =
                number(config, LOW_RATE_PER_REPLICA, "a positive number of requests per second, such as 5");
        if (lowRate.isPresent() && !positive(lowRate.get())) {
            throw expected(config, LOW_RATE_PER_REPLICA, "a positive number of requests per second, such as 5");
        }
        return new ThresholdConfig(
                minSpans, scaleDownBelow, lowRate.map(OptionalDouble::of).orElse(OptionalDouble.empty()));
    }

    private static Optional<Double> number(PluginConfig config, String key, String expectation) {
        Optional<String> raw = config.get(key);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            double value = Double.parseDouble(raw.get());
            if (!Double.isFinite(value)) {
                throw expected(config, key, expectation);
            }
            return Optional.of(value);
        } catch (NumberFormatException e) {
            throw expected(config, key, expectation);
        }
    }

    private static boolean positive(double value) {
        return Double.isFinite(value) && value > 0;
    }

    private static PlatformException expected(PluginConfig config, String key, String expectation) {
        return PlatformException.invalid(
                config.fullKey(key),
                "configuration key '" + config.fullKey(key) + "' is '"
                        + config.get(key).orElse("") + "'; expected " + expectation);
    }
}
