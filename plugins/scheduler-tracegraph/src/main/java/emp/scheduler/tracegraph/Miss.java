package emp.scheduler.tracegraph;

import emp.spi.AppRef;
import emp.spi.app.QualityMetric;
import emp.spi.scheduler.AppView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An app's latency target with what was observed against it over the window; a miss when over it.
 *
 * @param percentile {@code p95} or {@code p99}
 */
record Miss(AppRef app, String percentile, double observedMs, double targetMs) {
    /** How far over its target: above 1 for a miss. */
    double severity() {
        return observedMs / targetMs;
    }

    /** The app's latency targets ({@code latency_p95_ms}, {@code latency_p99_ms}), each against its window. */
    static List<Miss> latencyTargets(AppView app) {
        List<Miss> targets = new ArrayList<>();
        target(app, QualityMetric.LATENCY_P95_MS, "p95", app.metrics().p95Ms()).ifPresent(targets::add);
        target(app, QualityMetric.LATENCY_P99_MS, "p99", app.metrics().p99Ms()).ifPresent(targets::add);
        return targets;
    }

    private static Optional<Miss> target(AppView app, String metric, String percentile, double observedMs) {
        Optional<QualityMetric> declared = app.spec().qualityMetric(metric);
        if (declared.isEmpty()) {
            return Optional.empty();
        }
        double target;
        try {
            target = declared.get().target();
        } catch (NumberFormatException e) {
            // The host stores only targets that parse; one that does not is no target to judge by.
            return Optional.empty();
        }
        return target > 0 && Double.isFinite(target)
                ? Optional.of(new Miss(app.app(), percentile, observedMs, target))
                : Optional.empty();
    }
}
