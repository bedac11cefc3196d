package emp.cluster.sim;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code cluster.sim} section of the server configuration.
 *
 * @param nodes                 how many simulated nodes there are ({@code nodes}, default 400)
 * @param nodeCpus              the cpus of each node ({@code node-cpus}, default 4)
 * @param nodeMemoryMib         the memory of each node, in MiB ({@code node-memory-mib}, default 8192)
 * @param defaultCpus           the cpus of a replica whose spec names none ({@code default-cpus}, default 0.1, as
 *                              cluster-mesos)
 * @param defaultMemoryMib      the memory, in MiB, of a replica whose spec names none ({@code default-memory-mib},
 *                              default 128, as cluster-mesos)
 * @param startLatency          the mean time from a replica's placement to its readiness (or its crash)
 *                              ({@code start-latency}, default 200ms)
 * @param startJitter           how far one start's latency lies from the mean, drawn uniformly within plus or minus
 *                              this ({@code start-jitter}, default 100ms, or {@code start-latency} when that is
 *                              shorter); at most {@code start-latency}
 * @param stopLatency           how long a replica that was asked to stop shows as stopping, still holding its room on
 *                              its node ({@code stop-latency}, default 100ms; 0 makes it go at once)
 * @param crashProbability      the chance that a replica crashes as it starts, drawn at each start
 *                              ({@code crash-probability}, default 0); an app's {@code SIM_CRASH_PROBABILITY} variable
 *                              overrides it for that app
 * @param restartBackoffInitial the wait before restarting a replica that crashed for the first time
 *                              ({@code restart-backoff-initial}, default 500ms, as cluster-local); it doubles with each
 *                              further crash in a row
 * @param restartBackoffMax     the longest wait between restarts ({@code restart-backoff-max}, default 30s)
 * @param seed                  what the random draws of latencies and crashes start from ({@code seed}, default 1):
 *                              the same seed gives each replica the same draws, run after run
 */
public record SimClusterConfig(
        int nodes,
        int nodeCpus,
        int nodeMemoryMib,
        double defaultCpus,
        int defaultMemoryMib,
        Duration startLatency,
        Duration startJitter,
        Duration stopLatency,
        double crashProbability,
        Duration restartBackoffInitial,
        Duration restartBackoffMax,
        long seed) {

    /** The section's prefix in the server configuration. */
    public static final String SECTION = "cluster.sim";

    static final String NODES = "nodes";
    static final String NODE_CPUS = "node-cpus";
    static final String NODE_MEMORY_MIB = "node-memory-mib";
    static final String DEFAULT_CPUS = "default-cpus";
    static final String DEFAULT_MEMORY_MIB = "default-memory-mib";
    static final String START_LATENCY = "start-latency";
    static final String START_JITTER = "start-jitter";
    static final String STOP_LATENCY = "stop-latency";
    static final String CRASH_PROBABILITY = "crash-probability";
    static final String RESTART_BACKOFF_INITIAL = "restart-backoff-initial";
    static final String RESTART_BACKOFF_MAX = "restart-backoff-max";
    static final String SEED = "seed";

    /** The section's keys. */
    public static final Set<String> KEYS = Set.of(
            NODES,
            NODE_CPUS,
            NODE_MEMORY_MIB,
            DEFAULT_CPUS,
            DEFAULT_MEMORY_MIB,
            START_LATENCY,
            START_JITTER,
            STOP_LATENCY,
            CRASH_PROBABILITY,
            RESTART_BACKOFF_INITIAL,
            RESTART_BACKOFF_MAX,
            SEED);

    public SimClusterConfig {
        requireNonNull(startLatency, "startLatency is null");
        requireNonNull(startJitter, "startJitter is null");
        requireNonNull(stopLatency, "stopLatency is null");
        requireNonNull(restartBackoffInitial, "restartBackoffInitial is null");
        requireNonNull(restartBackoffMax, "restartBackoffMax is null");
    }

    /** The configuration when the section is empty. */
    public static SimClusterConfig defaults() {
        return from(PluginConfig.empty(SECTION));
    }

    /**
     * Binds the section.
     *
     * @throws PlatformException of category INVALID naming the key that is unknown or has a bad value
     */
    public static SimClusterConfig from(PluginConfig config) {
        config.requireKnown(KEYS);
        int nodeCpus = config.integer(NODE_CPUS, 4, 1, 1024);
        int nodeMemoryMib = config.integer(NODE_MEMORY_MIB, 8192, 64, 16 * 1024 * 1024);
        double defaultCpus = number(config, DEFAULT_CPUS, 0.1, 0.001, nodeCpus, "a number of cpus such as 0.25");
        int defaultMemoryMib = config.integer(DEFAULT_MEMORY_MIB, 128, 1, nodeMemoryMib);
        Duration latency = config.nonNegativeDuration(START_LATENCY, Duration.ofMillis(200));
        // Unset, it shrinks with a shorter latency, so that setting only the latency never trips over this default.
        Duration defaultJitter = Duration.ofMillis(100).compareTo(latency) > 0 ? latency : Duration.ofMillis(100);
        Duration jitter = config.nonNegativeDuration(START_JITTER, defaultJitter);
        if (jitter.compareTo(latency) > 0) {
            throw PlatformException.invalid(
                    config.fullKey(START_JITTER),
                    "configuration key '" + config.fullKey(START_JITTER) + "' (" + jitter + ") is longer than '"
                            + config.fullKey(START_LATENCY) + "' (" + latency
                            + "), so a start could take less than no time; make it at most as long");
        }
        Duration initial = config.positiveDuration(RESTART_BACKOFF_INITIAL, Duration.ofMillis(500));
        Duration max = config.positiveDuration(RESTART_BACKOFF_MAX, Duration.ofSeconds(30));
        if (max.compareTo(initial) < 0) {
            throw PlatformException.invalid(
                    config.fullKey(RESTART_BACKOFF_MAX),
                    "configuration key '" + config.fullKey(RESTART_BACKOFF_MAX) + "' (" + max + ") is shorter than '"
                            + config.fullKey(RESTART_BACKOFF_INITIAL) + "' (" + initial
                            + "); make it at least as long");
        }
        return new SimClusterConfig(
                config.integer(NODES, 400, 1, 1_000_000),
                nodeCpus,
                nodeMemoryMib,
                defaultCpus,
                defaultMemoryMib,
                latency,
                jitter,
                config.nonNegativeDuration(STOP_LATENCY, Duration.ofMillis(100)),
                number(config, CRASH_PROBABILITY, 0, 0, 1, "a probability from 0 to 1 such as 0.05"),
                initial,
                max,
                seed(config));
    }

    /** A node's cpus in thousandths of a core. */
    long nodeMillicores() {
        return nodeCpus * 1000L;
    }

    /**
     * The wait before restarting a replica that crashed {@code crashes} times in a row (1 or more): the initial back-off,
     * doubling with each further crash, up to the most.
     */
    long restartDelayMillis(int crashes) {
        long delay = restartBackoffInitial.toMillis();
        long max = restartBackoffMax.toMillis();
        for (int i = 1; i < crashes && delay < max; i++) {
            delay *= 2;
        }
        return Math.min(delay, max);
    }

    /** What one replica takes when its spec names no resources. */
    Demand defaultDemand() {
        return new Demand(Math.max(1, Math.round(defaultCpus * 1000)), defaultMemoryMib);
    }

    private static double number(
            PluginConfig config, String key, double defaultValue, double min, double max, String example) {
        String raw = config.get(key).orElse(null);
        if (raw == null) {
            return defaultValue;
        }
        try {
            double value = Double.parseDouble(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw PlatformException.invalid(
                config.fullKey(key),
                "configuration key '" + config.fullKey(key) + "' is '" + raw + "'; expected " + example + ", from "
                        + Demand.number(min) + " to " + Demand.number(max));
    }

    private static long seed(PluginConfig config) {
        String raw = config.get(SEED).orElse("1");
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw PlatformException.invalid(
                    config.fullKey(SEED),
                    "configuration key '" + config.fullKey(SEED) + "' is '" + raw
                            + "'; expected a whole number such as 42");
        }
    }
}
