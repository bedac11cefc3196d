package emp.scheduler.threshold;

import static java.util.Objects.requireNonNull;

import emp.spi.app.AppSpec;
import emp.spi.app.QualityMetric;
import emp.spi.scheduler.WindowMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One of an app's quality targets that a threshold rule can judge from the app's own window: a latency percentile
 * ({@code latency_p95_ms}, {@code latency_p99_ms}) or its failures ({@code error_rate} as a fraction,
 * {@code availability} as a percentage). {@code throughput_rps} is not one: the measured rate is the demand, not what
 * the app could carry, so no threshold on it says whether a replica is missing.
 *
 * @param metric the quality metric's name, one of {@link #JUDGED}
 * @param target its declared value
 */
record Target(String metric, double target) {

    /** The quality metrics the rule judges, in the order their reasons are written. */
    static final List<String> JUDGED = List.of(
            QualityMetric.LATENCY_P95_MS,
            QualityMetric.LATENCY_P99_MS,
            QualityMetric.ERROR_RATE,
            QualityMetric.AVAILABILITY);

    Target {
        requireNonNull(metric, "metric is null");
        if (!JUDGED.contains(metric)) {
            throw new IllegalArgumentException("metric is not one of " + JUDGED + ": " + metric);
        }
    }

    /**
     * The targets of {@code spec} the rule judges. The host validates targets before storing a spec; one that is
     * still unusable here is passed over rather than failing the tick for every app.
     */
    static List<Target> of(AppSpec spec) {
        List<Target> targets = new ArrayList<>();
        for (String metric : JUDGED) {
            spec.qualityMetric(metric).flatMap(Target::parse).ifPresent(targets::add);
        }
        return List.copyOf(targets);
    }

    private static Optional<Target> parse(QualityMetric declared) {
        double value;
        try {
            value = declared.target();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        boolean usable = switch (declared.metric()) {
            case QualityMetric.ERROR_RATE -> value >= 0 && value <= 1;
            case QualityMetric.AVAILABILITY -> value >= 0 && value <= 100;
            default -> value > 0 && Double.isFinite(value);
        };
        return usable ? Optional.of(new Target(declared.metric(), value)) : Optional.empty();
    }

    /** @return the miss in words, {@code p95 410 ms > 200 ms target}, when the window misses this target */
    Optional<String> missed(WindowMetrics window) {
        return switch (metric) {
            case QualityMetric.LATENCY_P95_MS -> latencyOver("p95", window.p95Ms());
            case QualityMetric.LATENCY_P99_MS -> latencyOver("p99", window.p99Ms());
            case QualityMetric.ERROR_RATE ->
                window.errorRate() > target
                        ? Optional.of("error rate " + Numbers.percent(window.errorRate()) + " > "
                                + Numbers.percent(target) + " target")
                        : Optional.empty();
            default ->
                availability(window) < target
                        ? Optional.of("availability " + Numbers.percent(availability(window) / 100) + " < "
                                + Numbers.percent(target / 100) + " target")
                        : Optional.empty();
        };
    }

    /**
     * @param fraction how far under the target counts as well under, e.g. 0.5
     * @return the margin in words, {@code p95 40 ms < 50% of 200 ms target}, when the window is well under this target
     */
    Optional<String> wellUnder(WindowMetrics window, double fraction) {
        String share = Numbers.percent(fraction) + " of ";
        return switch (metric) {
            case QualityMetric.LATENCY_P95_MS -> latencyUnder("p95", window.p95Ms(), fraction, share);
            case QualityMetric.LATENCY_P99_MS -> latencyUnder("p99", window.p99Ms(), fraction, share);
            // Failures are judged with <=: a target of 0 errors is well met by 0 errors.
            case QualityMetric.ERROR_RATE ->
                window.errorRate() <= fraction * target
                        ? Optional.of("error rate " + Numbers.percent(window.errorRate()) + " <= " + share
                                + Numbers.percent(target) + " target")
                        : Optional.empty();
            default -> {
                double allowed = (100 - target) / 100;
                yield window.errorRate() <= fraction * allowed
                        ? Optional.of("errors " + Numbers.percent(window.errorRate()) + " <= " + share + "the "
                                + Numbers.percent(allowed) + " allowed by " + Numbers.percent(target / 100)
                                + " availability")
                        : Optional.empty();
            }
        };
    }

    private Optional<String> latencyOver(String name, double measuredMs) {
        return measuredMs > target
                ? Optional.of(
                        name + " " + Numbers.format(measuredMs) + " ms > " + Numbers.format(target) + " ms target")
                : Optional.empty();
    }

    private Optional<String> latencyUnder(String name, double measuredMs, double fraction, String share) {
        return measuredMs < fraction * target
                ? Optional.of(name + " " + Numbers.format(measuredMs) + " ms < " + share + Numbers.format(target)
                        + " ms target")
                : Optional.empty();
    }

    /** The percentage of requests that did not fail. */
    private static double availability(WindowMetrics window) {
        return (1 - window.errorRate()) * 100;
    }
}
