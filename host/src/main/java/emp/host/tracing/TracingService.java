package emp.host.tracing;

import static java.util.Objects.requireNonNull;

import emp.host.apps.AppService;
import emp.host.apps.AppView;
import emp.spi.AppRef;
import emp.spi.scheduler.WindowMetrics;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/** An app's tracing figures for its owner (REQ-14), with the link to the trace UI when one is configured. */
public final class TracingService {
    private final AppService apps;
    private final TraceAggregator aggregator;
    private final Optional<String> uiUrl;
    private final Function<AppRef, Map<String, String>> spanEnvironment;

    /**
     * @param uiUrl           the trace UI's base URL, e.g. {@code http://127.0.0.1:9411/zipkin}
     * @param spanEnvironment the variables a replica of an app gets to send its spans, its credential among them
     */
    public TracingService(
            AppService apps,
            TraceAggregator aggregator,
            Optional<String> uiUrl,
            Function<AppRef, Map<String, String>> spanEnvironment) {
        this.apps = requireNonNull(apps, "apps is null");
        this.aggregator = requireNonNull(aggregator, "aggregator is null");
        this.uiUrl = uiUrl.map(url -> url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        this.spanEnvironment = requireNonNull(spanEnvironment, "spanEnvironment is null");
    }

    /**
     * What a replica of the app is given to send its spans ({@code ZIPKIN_ENDPOINT} with the app's credential, or
     * {@code KAFKA_ADDRESS}, and {@code EMP_SPAN_TOKEN}): for its owner to report from a process EMP does not run.
     */
    public SpanEnvironment spanEnvironment(String owner, String idOrName) {
        AppView app = apps.get(owner, idOrName);
        AppRef ref = new AppRef(app.owner(), app.name());
        return new SpanEnvironment(ref.toString(), new TreeMap<>(spanEnvironment.apply(ref)));
    }

    /**
     * @param app         {@code owner/name}, the service name its spans must carry
     * @param environment the variables, by name
     */
    public record SpanEnvironment(String app, Map<String, String> environment) {}

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
                        .orElse(null),
                aggregator.samplingFraction());
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
