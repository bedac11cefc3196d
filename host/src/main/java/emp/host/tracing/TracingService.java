package emp.host.tracing;

import static java.util.Objects.requireNonNull;

import emp.host.apps.AppService;
import emp.host.apps.AppView;
import emp.spi.AppRef;
import emp.spi.scheduler.WindowMetrics;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** An app's tracing figures for its owner (REQ-14), with the link to the trace UI when one is configured. */
public final class TracingService {
    private final AppService apps;
    private final TraceAggregator aggregator;
    private final Optional<String> uiUrl;

    /** @param uiUrl the trace UI's base URL, e.g. {@code http://127.0.0.1:9411/zipkin} */
    public TracingService(AppService apps, TraceAggregator aggregator, Optional<String> uiUrl) {
        this.apps = requireNonNull(apps, "apps is null");
        this.aggregator = requireNonNull(aggregator, "aggregator is null");
        this.uiUrl = uiUrl.map(url -> url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    public TracingReport report(String owner, String idOrName) {
        AppView app = apps.get(owner, idOrName);
        AppRef ref = new AppRef(app.owner(), app.name());
        TraceAggregator.AppFigures figures = aggregator.figures(ref);
        WindowMetrics metrics = figures.metrics();
        return new TracingReport(
                ref.toString(),
                metrics.windowSeconds(),
                metrics.spans(),
                round(metrics.rate()),
                round(metrics.errorRate()),
                round(metrics.p50Ms()),
                round(metrics.p95Ms()),
                round(metrics.p99Ms()),
                round(metrics.selfMs()),
                round(metrics.concurrency()),
                figures.edges().stream()
                        .map(edge -> new TracingReport.Edge(
                                edge.to().toString(), round(edge.rate()), round(edge.errorRate()), round(edge.p95Ms())))
                        .toList(),
                uiUrl.map(base -> base + "/?serviceName=" + URLEncoder.encode(ref.toString(), StandardCharsets.UTF_8))
                        .orElse(null));
    }

    /** The app's newest traces, newest first, each with its spans. */
    public List<TraceSummary> traces(String owner, String idOrName, int limit) {
        AppView app = apps.get(owner, idOrName);
        return aggregator.recentTraces(new AppRef(app.owner(), app.name()), limit);
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
