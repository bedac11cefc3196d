package emp.tck.scheduler;

import static java.util.Objects.requireNonNull;

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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hand-built {@link ClusterView}s for testing a scheduler: apps of one owner ({@value #OWNER}), each with its spec
 * (replica bounds, quality targets), its replica counts, the figures of its window and, where the cluster measures
 * them, its load figures; and the calls between them. What the host would build from spans and the cluster, in a
 * line or two:
 *
 * <pre>{@code
 * ClusterView view = Views.at(0)
 *         .app(Views.spec("front", 1, 10, Views.p95(200)), 2, Views.metrics(40, 20, 900))
 *         .app(Views.spec("songs"), 1, Views.metrics(40, 850, 880))
 *         .edge("front", "songs", 40, 880)
 *         .build();
 * }</pre>
 *
 * <p>A {@code Views} is a builder: {@link #at} starts one, {@code app} and {@code edge} add to it, {@link #build}
 * makes the view (and may be called again after more is added). Apps are named by their spec's name and belong to
 * {@value #OWNER}; {@link #ref} names them the same way, and {@link #app(AppView)} adds an app of any owner. Times are
 * given in seconds after {@link #T0}, so that a test reads as a timeline. The static methods make the parts: specs
 * ({@link #spec}, {@link #calling}), quality targets ({@link #p95}, {@link #p99}, {@link #errorRate},
 * {@link #availability}, {@link #throughput}), window figures ({@link #metrics}, {@link #noData},
 * {@link #withErrorRate}) and the cluster's load figures ({@link #load}).
 *
 * <p>Not thread-safe; a builder belongs to one test.
 */
public final class Views {
    /** The time {@link #at(double)} counts from. */
    public static final Instant T0 = Instant.parse("2025-01-01T12:00:00Z");

    /** The owner of the apps a builder names by their spec. */
    public static final String OWNER = "tck";

    /** How long the windows of {@link #metrics} and {@link #noData} are, in seconds: the host's default. */
    public static final double WINDOW_SECONDS = 10;

    private final Instant time;
    private final Map<AppRef, AppView> apps = new LinkedHashMap<>();
    private final List<EdgeMetrics> edges = new ArrayList<>();

    private Views(Instant time) {
        this.time = requireNonNull(time, "time is null");
    }

    /** A builder of a view taken {@code seconds} after {@link #T0} (to the millisecond). */
    public static Views at(double seconds) {
        return new Views(T0.plusMillis(Math.round(seconds * 1000)));
    }

    /** A builder of a view taken at {@code time}. */
    public static Views at(Instant time) {
        return new Views(time);
    }

    /** A view at {@link #T0} of {@code apps} as they are, edges included; none gives the empty view. */
    public static ClusterView of(AppView... apps) {
        Views views = at(0);
        Arrays.stream(apps).forEach(views::app);
        return views.build();
    }

    // ---- apps and edges

    /** Adds an app with all of its replicas ready and the figures of its window. */
    public Views app(AppSpec spec, int replicas, WindowMetrics metrics) {
        return app(spec, replicas, replicas, metrics);
    }

    /** Adds an app with {@code ready} of its {@code replicas} ready and the figures of its window. */
    public Views app(AppSpec spec, int replicas, int ready, WindowMetrics metrics) {
        return add(spec, replicas, ready, metrics, Optional.empty());
    }

    /**
     * Adds an app, all of its replicas ready, whose requests the cluster measured ({@code load}) and whose window holds
     * no span ({@link #noData}).
     */
    public Views app(AppSpec spec, int replicas, LoadFigures load) {
        return app(spec, replicas, replicas, load);
    }

    /** The same, with {@code ready} of its {@code replicas} ready. */
    public Views app(AppSpec spec, int replicas, int ready, LoadFigures load) {
        return add(spec, replicas, ready, noData(), Optional.of(load));
    }

    /** Adds an app, all of its replicas ready, with both the figures of its window and the cluster's load figures. */
    public Views app(AppSpec spec, int replicas, WindowMetrics metrics, LoadFigures load) {
        return add(spec, replicas, replicas, metrics, Optional.of(load));
    }

    /**
     * Adds {@code app} as it is: of any owner, with its own edges (to which {@link #edge} adds).
     *
     * @throws IllegalArgumentException when the view holds an app of that reference already
     */
    public Views app(AppView app) {
        requireNonNull(app, "app is null");
        if (apps.putIfAbsent(app.app(), app) != null) {
            throw new IllegalArgumentException("app '" + app.app() + "' is in the view already; add each app once");
        }
        return this;
    }

    private Views add(AppSpec spec, int replicas, int ready, WindowMetrics metrics, Optional<LoadFigures> load) {
        requireNonNull(spec, "spec is null");
        AppRef ref = ref(spec.name());
        return app(new AppView(ref, spec, replicas, ready, metrics, List.of(), load));
    }

    /**
     * Adds calls from {@value #OWNER}'s app {@code from} to its app {@code to}: {@code rate} per second, none failed,
     * with a 95th percentile of {@code p95Ms} as the caller saw it. {@code to} need not be in the view.
     */
    public Views edge(String from, String to, double rate, double p95Ms) {
        return edge(new EdgeMetrics(ref(from), ref(to), rate, 0, p95Ms));
    }

    /** Adds {@code edge} to the edges of its caller, which must be in the view when it is built. */
    public Views edge(EdgeMetrics edge) {
        edges.add(requireNonNull(edge, "edge is null"));
        return this;
    }

    /**
     * The view: every app added, each with the edges added from it after its own.
     *
     * @throws IllegalArgumentException naming the caller of an edge that is not in the view
     */
    public ClusterView build() {
        Map<AppRef, List<EdgeMetrics>> byCaller = new LinkedHashMap<>();
        for (EdgeMetrics edge : edges) {
            if (!apps.containsKey(edge.from())) {
                throw new IllegalArgumentException("an edge comes from app '" + edge.from()
                        + "', which is not in the view; add the app before building the view");
            }
            byCaller.computeIfAbsent(edge.from(), caller -> new ArrayList<>()).add(edge);
        }
        Map<AppRef, AppView> built = new LinkedHashMap<>();
        apps.forEach((ref, app) -> {
            List<EdgeMetrics> all = new ArrayList<>(app.edges());
            all.addAll(byCaller.getOrDefault(ref, List.of()));
            built.put(ref, new AppView(ref, app.spec(), app.replicas(), app.ready(), app.metrics(), all, app.load()));
        });
        return new ClusterView(time, built);
    }

    // ---- the parts of a view

    /** The app {@code name} of {@value #OWNER}. */
    public static AppRef ref(String name) {
        return new AppRef(OWNER, name);
    }

    /** A spec with the default replica bounds (1 to {@value AppSpec#DEFAULT_MAX_REPLICAS}) and these targets. */
    public static AppSpec spec(String name, QualityMetric... targets) {
        return spec(name, null, null, targets);
    }

    /**
     * A spec with replica bounds and quality targets, and nothing else.
     *
     * @param minReplicas {@code min_replicas}; null for the default, 1
     * @param maxReplicas {@code max_replicas}; null for the default, {@value AppSpec#DEFAULT_MAX_REPLICAS}
     */
    public static AppSpec spec(String name, Integer minReplicas, Integer maxReplicas, QualityMetric... targets) {
        return spec(name, minReplicas, maxReplicas, List.of(targets), List.of());
    }

    /**
     * A spec with replica bounds (null for the defaults), no quality target, that calls {@code dependencies}: the
     * {@code dependencies} of its spec, which a scheduler may read beside the call edges.
     */
    public static AppSpec calling(String name, Integer minReplicas, Integer maxReplicas, String... dependencies) {
        return spec(name, minReplicas, maxReplicas, List.of(), List.of(dependencies));
    }

    private static AppSpec spec(
            String name,
            Integer minReplicas,
            Integer maxReplicas,
            List<QualityMetric> targets,
            List<String> dependencies) {
        return new AppSpec(
                name,
                null,
                null,
                null,
                null,
                targets,
                null,
                null,
                minReplicas,
                maxReplicas,
                null,
                null,
                dependencies,
                null,
                null,
                null);
    }

    /** {@code latency_p95_ms}: the 95th percentile latency must stay under {@code ms}. */
    public static QualityMetric p95(double ms) {
        return target(QualityMetric.LATENCY_P95_MS, ms);
    }

    /** {@code latency_p99_ms}: the 99th percentile latency must stay under {@code ms}. */
    public static QualityMetric p99(double ms) {
        return target(QualityMetric.LATENCY_P99_MS, ms);
    }

    /** {@code error_rate}: at most this fraction of requests may fail, 0 to 1. */
    public static QualityMetric errorRate(double fraction) {
        return target(QualityMetric.ERROR_RATE, fraction);
    }

    /** {@code availability}: at least this percentage of requests must succeed, 0 to 100. */
    public static QualityMetric availability(double percent) {
        return target(QualityMetric.AVAILABILITY, percent);
    }

    /** {@code throughput_rps}: the requests per second the app must carry. */
    public static QualityMetric throughput(double rps) {
        return target(QualityMetric.THROUGHPUT_RPS, rps);
    }

    private static QualityMetric target(String metric, double value) {
        return new QualityMetric(metric, Double.toString(value));
    }

    /**
     * The figures of a {@value #WINDOW_SECONDS} s window with {@code rate} requests per second (and as many spans as
     * that makes in the window), none failed, each spending {@code selfMs} in the app itself, with a 95th percentile
     * of {@code p95Ms}. The rest follows from these: the median is 0.6 x p95, the 99th percentile 1.2 x p95, and the
     * requests in flight are {@code rate x median} (Little's law).
     */
    public static WindowMetrics metrics(double rate, double selfMs, double p95Ms) {
        return metrics(Math.round(rate * WINDOW_SECONDS), rate, selfMs, p95Ms);
    }

    /** The same with {@code spans} server spans in the window, whatever the rate. */
    public static WindowMetrics metrics(long spans, double rate, double selfMs, double p95Ms) {
        double p50Ms = p95Ms * 0.6;
        return new WindowMetrics(
                WINDOW_SECONDS, spans, rate, 0, p50Ms, p95Ms, p95Ms * 1.2, selfMs, rate * p50Ms / 1000);
    }

    /** A {@value #WINDOW_SECONDS} s window without a span: an app that served nothing, or whose spans do not arrive. */
    public static WindowMetrics noData() {
        return WindowMetrics.empty(WINDOW_SECONDS);
    }

    /** {@code metrics} with {@code errorRate} of its requests failed (0 to 1). */
    public static WindowMetrics withErrorRate(WindowMetrics metrics, double errorRate) {
        return new WindowMetrics(
                metrics.windowSeconds(),
                metrics.spans(),
                metrics.rate(),
                errorRate,
                metrics.p50Ms(),
                metrics.p95Ms(),
                metrics.p99Ms(),
                metrics.selfMs(),
                metrics.concurrency());
    }

    /**
     * Load figures of {@code seconds} alike seconds, as the cluster's request path measures them: {@code arrivals}
     * requests arrive and {@code completions} complete each second, none rejected, each at {@code serviceMs} at its
     * replica; {@code queued} wait for a free replica throughout. In flight are as many as the arrivals keep busy
     * ({@code arrivals x serviceMs}, Little's law), at most {@code limit}; the oldest of those waiting has waited as
     * long as they take to clear at the completion rate.
     *
     * @param seconds how many seconds the figures hold, at most {@link LoadFigures#MAX_SECONDS}
     * @param limit   the most requests one replica is given at once ({@link LoadFigures#limitPerReplica()}), and the
     *                most in flight counted
     */
    public static LoadFigures load(
            int seconds, long arrivals, long completions, int queued, double serviceMs, int limit) {
        List<LoadSecond> all = new ArrayList<>();
        for (int i = 0; i < seconds; i++) {
            all.add(new LoadSecond(
                    arrivals, completions, 0, Math.min(limit, arrivals * serviceMs / 1000), queued, serviceMs));
        }
        double oldestMs = queued == 0 || completions == 0 ? 0 : queued * 1000.0 / completions;
        int inFlight = (int) Math.min(limit, Math.round(arrivals * serviceMs / 1000));
        return new LoadFigures(all, inFlight, queued, oldestMs, limit, false);
    }
}
