package emp.scheduler.tracegraph;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.app.QualityMetric;
import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LoadSecond;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.ClusterView;
import emp.spi.scheduler.EdgeMetrics;
import emp.spi.scheduler.WindowMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Hand-built cluster views: apps of one owner, their figures over a 10 s window, and the calls between them. */
final class Views {
    static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    static final double WINDOW_SECONDS = 10;

    private final Instant time;
    private final Map<AppRef, AppView> apps = new LinkedHashMap<>();
    private final Map<AppRef, List<EdgeMetrics>> edges = new HashMap<>();

    private Views(Instant time) {
        this.time = time;
    }

    /** A view taken {@code seconds} after {@link #T0}. */
    static Views at(double seconds) {
        return new Views(T0.plusMillis(Math.round(seconds * 1000)));
    }

    static AppRef ref(String name) {
        return new AppRef("ana", name);
    }

    /** A spec with replica bounds (null: the defaults, 1 and 10) and quality metrics. */
    static AppSpec spec(String name, Integer min, Integer max, QualityMetric... metrics) {
        return new AppSpec(
                name,
                null,
                null,
                null,
                null,
                List.of(metrics),
                null,
                null,
                min,
                max,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** A spec with replica bounds (null: the defaults) that calls {@code dependencies}. */
    static AppSpec calling(String name, Integer min, Integer max, String... dependencies) {
        return new AppSpec(
                name,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                min,
                max,
                null,
                null,
                List.of(dependencies),
                null,
                null,
                null);
    }

    static AppSpec spec(String name, QualityMetric... metrics) {
        return spec(name, null, null, metrics);
    }

    static QualityMetric p95(double targetMs) {
        return new QualityMetric(QualityMetric.LATENCY_P95_MS, Double.toString(targetMs));
    }

    static QualityMetric p99(double targetMs) {
        return new QualityMetric(QualityMetric.LATENCY_P99_MS, Double.toString(targetMs));
    }

    /**
     * Figures of a window: {@code rate} requests per second, each with {@code selfMs} of self time, and a p95 of
     * {@code p95Ms}; the p99 is 20% over the p95.
     */
    static WindowMetrics metrics(double rate, double selfMs, double p95Ms) {
        return metrics(Math.round(rate * WINDOW_SECONDS), rate, selfMs, p95Ms);
    }

    static WindowMetrics metrics(long spans, double rate, double selfMs, double p95Ms) {
        return new WindowMetrics(
                WINDOW_SECONDS, spans, rate, 0, p95Ms * 0.6, p95Ms, p95Ms * 1.2, selfMs, rate * p95Ms * 0.6 / 1000);
    }

    Views app(AppSpec spec, int replicas, WindowMetrics metrics) {
        return app(spec, replicas, replicas, metrics);
    }

    Views app(AppSpec spec, int replicas, int ready, WindowMetrics metrics) {
        AppRef app = ref(spec.name());
        apps.put(app, new AppView(app, spec, replicas, ready, metrics, List.of()));
        return this;
    }

    /** An app whose requests the cluster measured, with no spans of its own. */
    Views app(AppSpec spec, int replicas, LoadFigures load) {
        return app(spec, replicas, replicas, load);
    }

    /** The same, with {@code ready} of its replicas ready. */
    Views app(AppSpec spec, int replicas, int ready, LoadFigures load) {
        AppRef app = ref(spec.name());
        apps.put(app, new AppView(app, spec, replicas, ready, metrics(0, 0, 0, 0), List.of(), Optional.of(load)));
        return this;
    }

    /** An app whose requests the cluster measured, with the figures of its spans too. */
    Views app(AppSpec spec, int replicas, WindowMetrics metrics, LoadFigures load) {
        AppRef app = ref(spec.name());
        apps.put(app, new AppView(app, spec, replicas, replicas, metrics, List.of(), Optional.of(load)));
        return this;
    }

    /**
     * Load figures of {@code seconds} alike seconds: {@code arrivals} and {@code completions} each, {@code queued}
     * waiting throughout, at {@code serviceMs}, with as many in flight as the arrivals keep busy up to {@code limit}
     * (Little's law); the oldest of those waiting has waited as long as they take to clear.
     */
    static LoadFigures load(int seconds, long arrivals, long completions, int queued, double serviceMs, int limit) {
        List<LoadSecond> all = new ArrayList<>();
        for (int i = 0; i < seconds; i++) {
            all.add(new LoadSecond(
                    arrivals, completions, 0, Math.min(limit, arrivals * serviceMs / 1000), queued, serviceMs));
        }
        double oldestMs = queued == 0 || completions == 0 ? 0 : queued * 1000.0 / completions;
        int inFlight = (int) Math.min(limit, Math.round(arrivals * serviceMs / 1000));
        return new LoadFigures(all, inFlight, queued, oldestMs, limit, false);
    }

    /** Calls from {@code from} to {@code to}: {@code rate} per second with a caller-observed p95 of {@code p95Ms}. */
    Views edge(String from, String to, double rate, double p95Ms) {
        edges.computeIfAbsent(ref(from), key -> new ArrayList<>())
                .add(new EdgeMetrics(ref(from), ref(to), rate, 0, p95Ms));
        return this;
    }

    ClusterView build() {
        Map<AppRef, AppView> withEdges = new LinkedHashMap<>();
        apps.forEach((ref, app) -> withEdges.put(
                ref,
                new AppView(
                        ref,
                        app.spec(),
                        app.replicas(),
                        app.ready(),
                        app.metrics(),
                        edges.getOrDefault(ref, List.of()),
                        app.load())));
        return new ClusterView(time, withEdges);
    }
}
