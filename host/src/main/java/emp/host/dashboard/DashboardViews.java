package emp.host.dashboard;

import emp.host.apps.AppEvent;
import emp.host.apps.AppService;
import emp.host.apps.AppView;
import emp.host.tracing.TraceAggregator;
import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.app.QualityMetric;
import emp.spi.scheduler.EdgeMetrics;
import emp.spi.scheduler.WindowMetrics;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the dashboard shows of one user's apps, always through the owner's own view of them ({@link AppService}
 * answers another user's app as one that does not exist): the list at a glance, the service graph, an app's history
 * and its events.
 */
public final class DashboardViews {
    /** The events of an app the dashboard shows, and reads for the blame. */
    static final int EVENTS = 100;

    private static final int EVENTS_FOR_BLAME = 10;

    private final AppService apps;
    private final TraceAggregator aggregator;
    private final AppHistory history;
    private final Clock clock;

    public DashboardViews(AppService apps, TraceAggregator aggregator, AppHistory history, Clock clock) {
        this.apps = apps;
        this.aggregator = aggregator;
        this.history = history;
        this.clock = clock;
    }

    /**
     * An app in the list: its state and replicas, and its latency against its target over the trace window.
     *
     * @param p95Ms       null without requests in the window
     * @param targetP95Ms its {@code latency_p95_ms} target; null for none
     * @param errorRate   null without requests in the window
     */
    public record AppSummary(
            String id,
            String name,
            String owner,
            String state,
            AppView.Replicas replicas,
            String url,
            int release,
            Double p95Ms,
            Double targetP95Ms,
            double rate,
            Double errorRate) {}

    /** @param intervalSeconds the time between two samples; @param samples oldest first */
    public record History(long intervalSeconds, Double targetP95Ms, List<AppHistory.Sample> samples) {}

    public List<AppSummary> apps(String owner) {
        return apps.list(owner).stream().map(app -> summary(app, window(app))).toList();
    }

    private static AppSummary summary(AppView app, WindowMetrics window) {
        boolean traffic = window.spans() > 0;
        return new AppSummary(
                app.id(),
                app.name(),
                app.owner(),
                app.state(),
                app.replicas(),
                app.url(),
                app.release(),
                traffic ? round(window.p95Ms()) : null,
                targetP95(app.spec()),
                round(window.rate()),
                traffic ? round(window.errorRate()) : null);
    }

    public ServiceGraph graph(String owner) {
        Instant now = clock.instant();
        Map<String, ServiceGraph.Node> nodes = new LinkedHashMap<>();
        List<ServiceGraph.Edge> edges = new ArrayList<>();
        ServiceGraph.Blamed blamed = null;
        for (AppView app : apps.list(owner)) {
            AppRef ref = new AppRef(app.owner(), app.name());
            TraceAggregator.AppFigures figures = aggregator.figures(ref);
            AppSummary summary = summary(app, figures.metrics());
            Optional<ScalingBlame.Blame> blame =
                    ScalingBlame.of(apps.events(owner, app.id(), EVENTS_FOR_BLAME, null), now);
            nodes.put(
                    ref.toString(),
                    new ServiceGraph.Node(
                            ref.toString(),
                            app.name(),
                            app.owner(),
                            app.id(),
                            app.state(),
                            summary.p95Ms(),
                            summary.targetP95Ms(),
                            summary.rate(),
                            summary.errorRate(),
                            blame.isPresent()));
            if (blame.isPresent() && (blamed == null || blame.get().time().isAfter(blamed.time()))) {
                blamed = new ServiceGraph.Blamed(
                        ref.toString(), blame.get().reason(), blame.get().time());
            }
            for (EdgeMetrics edge : figures.edges()) {
                edges.add(new ServiceGraph.Edge(
                        ref.toString(),
                        edge.to().toString(),
                        round(edge.rate()),
                        round(edge.p95Ms()),
                        round(edge.errorRate())));
            }
        }
        for (ServiceGraph.Edge edge : edges) {
            if (!nodes.containsKey(edge.to())) {
                // Another user's app, or one removed since: its name from the caller's spans, nothing of its own.
                int slash = edge.to().indexOf('/');
                nodes.put(
                        edge.to(),
                        new ServiceGraph.Node(
                                edge.to(),
                                edge.to().substring(slash + 1),
                                edge.to().substring(0, Math.max(0, slash)),
                                null,
                                null,
                                null,
                                null,
                                0,
                                null,
                                false));
            }
        }
        edges.sort(Comparator.comparing(ServiceGraph.Edge::from).thenComparing(ServiceGraph.Edge::to));
        return new ServiceGraph(List.copyOf(nodes.values()), edges, blamed);
    }

    /** The app as the API shows it. */
    public AppView app(String owner, String idOrName) {
        return apps.get(owner, idOrName);
    }

    /** The app's figures over the last minutes, as this server sampled them. */
    public History history(String owner, String idOrName) {
        AppView app = apps.get(owner, idOrName);
        return new History(AppHistory.INTERVAL.toSeconds(), targetP95(app.spec()), history.of(app.id()));
    }

    /** The app's newest events, oldest first. */
    public List<AppEvent> events(String owner, String idOrName) {
        return apps.events(owner, idOrName, EVENTS, null);
    }

    private WindowMetrics window(AppView app) {
        return aggregator.figures(new AppRef(app.owner(), app.name())).metrics();
    }

    private static Double targetP95(AppSpec spec) {
        return spec.qualityMetric(QualityMetric.LATENCY_P95_MS)
                .map(QualityMetric::target)
                .orElse(null);
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
