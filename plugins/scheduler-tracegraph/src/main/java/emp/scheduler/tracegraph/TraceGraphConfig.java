package emp.scheduler.tracegraph;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoublePredicate;

/**
 * The {@code scheduler.tracegraph} section of the server configuration.
 *
 * @param minSpans             the fewest spans in an app's window for its figures to count ({@code min-spans},
 *                             default 20); an app with fewer is left alone and judges no one
 * @param targetUtilization    the share of its learned capacity a replica is sized to carry when scaling up
 *                             ({@code target-utilization}, above 0 and at most 1, default 0.7): the headroom of
 *                             Little's law
 * @param defaultKnee          the requests in flight per replica at which latency is assumed to start rising, for an
 *                             app whose own history has not shown it yet ({@code default-knee}, default 1.0: a
 *                             single-threaded service)
 * @param rise                 how many times its baseline an app's self time must be to count as grown, and a
 *                             window's self time to count as risen when the knee is learned ({@code rise}, above 1,
 *                             default 1.5)
 * @param minShare             the share of a missed latency that an app's self time must carry to be a cause of it
 *                             ({@code min-share}, above 0 and at most 1, default 0.2)
 * @param history              how long each app's observations are kept to learn its baseline and knee
 *                             ({@code history}, default 5m)
 * @param scaleDownBelow       the share of its latency target under which an app is comfortably within it
 *                             ({@code scale-down-below}, above 0 and under 1, default 0.5)
 * @param scaleDownUtilization the utilization of the learned capacity that an app must stay under with one replica
 *                             fewer for one to be removed ({@code scale-down-utilization}, above 0 and at most
 *                             {@code target-utilization}, default 0.6, or {@code target-utilization} when that is lower)
 * @param scaleDownAfter       how long an app must have been comfortable, and its replica count unchanged, before a
 *                             replica is removed; also the time between two removals ({@code scale-down-after},
 *                             default 30s)
 * @param trendWindow          how recent the three ticks must be whose self times give an app's trend
 *                             ({@code trend-window}, default 4s): a self time that rose at each of them is a backlog
 *                             that grows, one that fell at each a backlog that drains
 * @param saturationGrowth     how fast a self time that rises at every tick must grow, in seconds per second, for the
 *                             app to count as saturated ({@code saturation-growth}, above 0, default 0.05): its
 *                             requests then arrive {@code 1 + growth} times as fast as its replicas serve them
 */
public record TraceGraphConfig(
        int minSpans,
        double targetUtilization,
        double defaultKnee,
        double rise,
        double minShare,
        Duration history,
        double scaleDownBelow,
        double scaleDownUtilization,
        Duration scaleDownAfter,
        Duration trendWindow,
        double saturationGrowth) {

    /** The section's prefix in the server configuration. */
    public static final String SECTION = "scheduler.tracegraph";

    static final String MIN_SPANS = "min-spans";
    static final String TARGET_UTILIZATION = "target-utilization";
    static final String DEFAULT_KNEE = "default-knee";
    static final String RISE = "rise";
    static final String MIN_SHARE = "min-share";
    static final String HISTORY = "history";
    static final String SCALE_DOWN_BELOW = "scale-down-below";
    static final String SCALE_DOWN_UTILIZATION = "scale-down-utilization";
    static final String SCALE_DOWN_AFTER = "scale-down-after";
    static final String TREND_WINDOW = "trend-window";
    static final String SATURATION_GROWTH = "saturation-growth";

    /** The section's keys. */
    public static final Set<String> KEYS = Set.of(
            MIN_SPANS,
            TARGET_UTILIZATION,
            DEFAULT_KNEE,
            RISE,
            MIN_SHARE,
            HISTORY,
            SCALE_DOWN_BELOW,
            SCALE_DOWN_UTILIZATION,
            SCALE_DOWN_AFTER,
            TREND_WINDOW,
            SATURATION_GROWTH);

    public TraceGraphConfig {
        requireNonNull(history, "history is null");
        requireNonNull(scaleDownAfter, "scaleDownAfter is null");
        requireNonNull(trendWindow, "trendWindow is null");
        check(minSpans >= 1, "minSpans is under 1: " + minSpans);
        check(
                targetUtilization > 0 && targetUtilization <= 1,
                "targetUtilization is not in (0, 1]: " + targetUtilization);
        check(defaultKnee > 0 && Double.isFinite(defaultKnee), "defaultKnee is not above 0: " + defaultKnee);
        check(rise > 1 && Double.isFinite(rise), "rise is not above 1: " + rise);
        check(minShare > 0 && minShare <= 1, "minShare is not in (0, 1]: " + minShare);
        check(history.compareTo(Duration.ZERO) > 0, "history is not above zero: " + history);
        check(scaleDownBelow > 0 && scaleDownBelow < 1, "scaleDownBelow is not in (0, 1): " + scaleDownBelow);
        check(
                scaleDownUtilization > 0 && scaleDownUtilization <= targetUtilization,
                "scaleDownUtilization is not in (0, targetUtilization]: " + scaleDownUtilization);
        check(scaleDownAfter.compareTo(Duration.ZERO) > 0, "scaleDownAfter is not above zero: " + scaleDownAfter);
        check(trendWindow.compareTo(Duration.ZERO) > 0, "trendWindow is not above zero: " + trendWindow);
        check(
                saturationGrowth > 0 && Double.isFinite(saturationGrowth),
                "saturationGrowth is not above 0: " + saturationGrowth);
    }

    /** Every key at its default. */
    public static TraceGraphConfig defaults() {
        return from(PluginConfig.empty(SECTION));
    }

    /**
     * Binds the section.
     *
     * @throws PlatformException of category INVALID naming the key that is unknown or has a bad value
     */
    public static TraceGraphConfig from(PluginConfig config) {
        config.requireKnown(KEYS);
        int minSpans = config.integer(MIN_SPANS, 20, 1, 1_000_000);
        double targetUtilization = number(
                config, TARGET_UTILIZATION, 0.7, v -> v > 0 && v <= 1, "a number above 0 and at most 1, such as 0.7");
        double defaultKnee =
                number(config, DEFAULT_KNEE, 1.0, v -> v > 0, "a number of requests above 0, such as 1.0 or 8");
        double rise = number(config, RISE, 1.5, v -> v > 1, "a ratio above 1, such as 1.5");
        double minShare = number(config, MIN_SHARE, 0.2, v -> v > 0 && v <= 1, "a number above 0 and at most 1");
        Duration history = config.positiveDuration(HISTORY, Duration.ofMinutes(5));
        double scaleDownBelow =
                number(config, SCALE_DOWN_BELOW, 0.5, v -> v > 0 && v < 1, "a number above 0 and under 1, such as 0.5");
        double scaleDownUtilization = number(
                config,
                SCALE_DOWN_UTILIZATION,
                Math.min(0.6, targetUtilization),
                v -> v > 0 && v <= targetUtilization,
                "a number above 0 and at most " + config.fullKey(TARGET_UTILIZATION) + " (" + targetUtilization
                        + "), so that a replica removed is not added back at once");
        Duration scaleDownAfter = config.positiveDuration(SCALE_DOWN_AFTER, Duration.ofSeconds(30));
        Duration trendWindow = config.positiveDuration(TREND_WINDOW, Duration.ofSeconds(4));
        double saturationGrowth = number(
                config, SATURATION_GROWTH, 0.05, v -> v > 0, "seconds of self time gained per second, such as 0.05");
        return new TraceGraphConfig(
                minSpans,
                targetUtilization,
                defaultKnee,
                rise,
                minShare,
                history,
                scaleDownBelow,
                scaleDownUtilization,
                scaleDownAfter,
                trendWindow,
                saturationGrowth);
    }

    private static double number(
            PluginConfig config, String key, double defaultValue, DoublePredicate valid, String expected) {
        Optional<String> raw = config.get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            double value = Double.parseDouble(raw.get());
            if (Double.isFinite(value) && valid.test(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Reported below with the key's name, like a value out of range.
        }
        throw PlatformException.invalid(
                config.fullKey(key),
                "configuration key '" + config.fullKey(key) + "' is '" + raw.get() + "'; expected " + expected);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
