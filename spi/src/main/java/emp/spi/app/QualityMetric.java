package emp.spi.app;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * A quality target the developer declared, as the original platform wrote it: {@code {"metric": "latency_p95_ms",
 * "values": "200"}}. The original sent values as a string; numbers are accepted too and kept in their text form.
 */
public record QualityMetric(String metric, String values) {
    public static final String LATENCY_P95_MS = "latency_p95_ms";
    public static final String LATENCY_P99_MS = "latency_p99_ms";
    public static final String THROUGHPUT_RPS = "throughput_rps";
    public static final String AVAILABILITY = "availability";
    public static final String ERROR_RATE = "error_rate";

    /** The metrics EMP understands. */
    public static final Set<String> KNOWN =
            Set.of(LATENCY_P95_MS, LATENCY_P99_MS, THROUGHPUT_RPS, AVAILABILITY, ERROR_RATE);

    public QualityMetric {
        requireNonNull(metric, "metric is null");
        requireNonNull(values, "values is null");
    }

    /** The target as a number; the host only stores metrics whose value parses. */
    public double target() {
        return Double.parseDouble(values.trim());
    }
}
