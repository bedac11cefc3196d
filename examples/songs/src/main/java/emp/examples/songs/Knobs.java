package emp.examples.songs;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;

/**
 * How much harder than necessary a service works on each request, so that an experiment can make any one service
 * the bottleneck.
 *
 * @param cpu            busy CPU time spent per request ({@code WORK_CPU_MS})
 * @param latency        time slept per request ({@code WORK_LATENCY_MS})
 * @param maxConcurrency requests served at once; more wait their turn ({@code MAX_CONCURRENCY}); 0 is no limit
 * @param errorRate      the fraction of requests answered 500 ({@code ERROR_RATE}), 0 to 1
 */
public record Knobs(Duration cpu, Duration latency, int maxConcurrency, double errorRate) {
    /** No added work, no limit, no injected errors. */
    public static final Knobs NONE = new Knobs(Duration.ZERO, Duration.ZERO, 0, 0);

    public Knobs {
        requireNonNull(cpu, "cpu is null");
        requireNonNull(latency, "latency is null");
        if (cpu.isNegative() || latency.isNegative()) {
            throw new IllegalArgumentException("cpu and latency must not be negative: " + cpu + ", " + latency);
        }
        if (maxConcurrency < 0) {
            throw new IllegalArgumentException("maxConcurrency must be 0 (no limit) or more: " + maxConcurrency);
        }
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw new IllegalArgumentException("errorRate must be between 0 and 1: " + errorRate);
        }
    }

    /**
     * Reads {@code WORK_CPU_MS}, {@code WORK_LATENCY_MS}, {@code MAX_CONCURRENCY} and {@code ERROR_RATE}; each is
     * optional, and an empty value counts as unset.
     *
     * @throws IllegalArgumentException naming the variable and what it expects when a value is not understood
     */
    public static Knobs fromEnvironment(Map<String, String> env) {
        return new Knobs(
                Duration.ofMillis(count(env, "WORK_CPU_MS", "milliseconds of CPU work per request, such as 20")),
                Duration.ofMillis(count(env, "WORK_LATENCY_MS", "milliseconds of added latency, such as 50")),
                (int) Math.min(
                        Integer.MAX_VALUE,
                        count(
                                env,
                                "MAX_CONCURRENCY",
                                "the number of requests served at once, such as 4 (0: no limit)")),
                errorRate(env));
    }

    private static long count(Map<String, String> env, String name, String expected) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Falls through to the message that says what is expected.
        }
        throw new IllegalArgumentException(name + " is '" + value + "'; expected " + expected);
    }

    private static double errorRate(Map<String, String> env) {
        String value = env.get("ERROR_RATE");
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            double parsed = Double.parseDouble(value.trim());
            if (parsed >= 0 && parsed <= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Falls through to the message that says what is expected.
        }
        throw new IllegalArgumentException(
                "ERROR_RATE is '" + value + "'; expected the fraction of requests to fail, from 0 to 1, such as 0.05");
    }
}
