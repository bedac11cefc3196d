package emp.host.metrics;

import emp.host.apps.AppService;
import emp.host.apps.AppView;
import emp.host.tracing.TraceAggregator;
import emp.spi.AppRef;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.LoadFigures;
import emp.spi.scheduler.WindowMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Each app's figures, for an operator's scrape of {@code /metrics} only (they name every tenant's apps): replicas
 * wanted and ready, request rate, error rate and p95 latency from its traces, requests in flight and queued at the
 * gateway. One series per app and figure, labelled {@code app="owner/name"}, for at most {@link #MAX_APPS} apps (by
 * owner and name); {@code emp_app_series_left_out} says how many apps were left out, so that a platform of many apps
 * cannot flood Prometheus. Read afresh at each scrape. Thread-safe.
 */
public final class AppMetrics implements AutoCloseable {
    /** The most apps that get series: the cap on the {@code app} label's values. */
    public static final int MAX_APPS = 1_000;

    /** What one app shows at one scrape. */
    public record Figures(AppView app, WindowMetrics traced, Optional<LoadFigures> load) {}

    private final Supplier<List<Figures>> apps;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger leftOut = new AtomicInteger();
    private final List<Series> series = new ArrayList<>();

    /** The seconds of the gateway's figures a rate is taken over. */
    public static final int GATEWAY_SECONDS = 10;

    private record Series(MultiGauge gauge, Function<Figures, Double> value) {}

    /** Each app of {@code apps}, with the figures of its traces and of the cluster's gateway. */
    public static AppMetrics of(AppService apps, TraceAggregator aggregator, ClusterManager cluster) {
        return new AppMetrics(() -> apps.listAll().stream()
                .map(view -> {
                    AppRef ref = new AppRef(view.owner(), view.name());
                    return new Figures(view, aggregator.figures(ref).metrics(), cluster.load(ref));
                })
                .toList());
    }

    /** @param apps every app of every user, with its figures, as an operator sees them */
    public AppMetrics(Supplier<List<Figures>> apps) {
        this.apps = apps;
        add("emp.app.replicas.desired", "replicas the app wants now", f ->
                (double) f.app().replicas().desired());
        add("emp.app.replicas.ready", "replicas of the app ready to serve", f ->
                (double) f.app().replicas().ready());
        add(
                "emp.app.requests.rate",
                "requests per second, from the app's traces",
                f -> f.traced().rate());
        add(
                "emp.app.errors.ratio",
                "share of the app's requests that failed, from its traces",
                f -> f.traced().errorRate());
        add(
                "emp.app.latency.p95.seconds",
                "the app's p95 latency, from its traces",
                f -> f.traced().p95Ms() / 1000);
        add(
                "emp.app.gateway.in.flight",
                "requests of the app its replicas hold now, at the gateway",
                f -> f.load().map(load -> (double) load.inFlight()).orElse(Double.NaN));
        add(
                "emp.app.gateway.requests.rate",
                "requests of the app per second at the gateway, over the last 10 seconds",
                f -> f.load().map(load -> load.arrivalRate(GATEWAY_SECONDS)).orElse(Double.NaN));
        add(
                "emp.app.gateway.queued",
                "requests of the app waiting in its line at the gateway",
                f -> f.load().map(load -> (double) load.queued()).orElse(Double.NaN));
        Gauge.builder("emp.app.series.left.out", leftOut, AtomicInteger::get)
                .description("apps beyond the " + MAX_APPS + " that get series, left out of this scrape")
                .register(registry);
    }

    private void add(String name, String description, Function<Figures, Double> value) {
        series.add(new Series(MultiGauge.builder(name).description(description).register(registry), value));
    }

    /** Every app's figures now, in {@code format}. */
    synchronized byte[] scrape(String format) {
        List<Figures> all = apps.get();
        List<Figures> kept = all.size() > MAX_APPS ? all.subList(0, MAX_APPS) : all;
        leftOut.set(all.size() - kept.size());
        for (Series each : series) {
            List<MultiGauge.Row<?>> rows = new ArrayList<>(kept.size());
            for (Figures figures : kept) {
                AppRef app = new AppRef(figures.app().owner(), figures.app().name());
                Double value = each.value().apply(figures);
                if (value != null && !value.isNaN()) {
                    rows.add(MultiGauge.Row.of(Tags.of("app", app.toString()), value));
                }
            }
            each.gauge().register(rows, true);
        }
        return PlatformMetrics.scrape(registry, format);
    }

    @Override
    public void close() {
        registry.close();
    }
}
