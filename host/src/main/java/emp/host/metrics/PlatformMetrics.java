package emp.host.metrics;

import emp.host.apps.AppRecord;
import emp.host.apps.AppService;
import emp.host.dashboard.LiveStreams;
import emp.host.lead.Leadership;
import emp.host.reconcile.Reconciler;
import emp.host.scale.ScalingLoop;
import emp.host.tracing.TraceAggregator;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LoadSecond;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The platform's own figures, for Prometheus at {@code /metrics} (Micrometer's Prometheus registry): the control API's
 * requests by route and status with latency histograms ({@link ApiMetricsFilter}), the reconciler's passes, the
 * scaling loop's ticks and the changes it made, the spans received, sampled out and pending, the leader state, and the
 * JVM's. None of these names an app: per-app figures are {@link AppMetrics}', for operators only. Thread-safe.
 */
public final class PlatformMetrics implements AutoCloseable {
    /** Prometheus' text format, which every scraper reads. */
    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** Prometheus' protobuf format, length-delimited MetricFamily messages. */
    static final String PROTOBUF =
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public PlatformMetrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Where the platform's meters are registered. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * The control plane's figures: {@code emp_leader} (1 while this server leads the platform, 0 while it stands by),
     * {@code emp_apps}, the reconciler's passes and their last durations by kind, and the trace aggregation's counters.
     */
    public void watch(Leadership leadership, AppService apps, Reconciler reconciler, TraceAggregator aggregator) {
        Gauge.builder("emp.leader", leadership, lead -> lead.leads() ? 1 : 0)
                .description("1 while this server leads the platform (reconciles and scales), 0 while it stands by")
                .register(registry);
        gauge("emp.apps", "apps of every user", apps, each -> each.allRecords().size());
        for (boolean every : new boolean[] {true, false}) {
            String kind = every ? "every-app" : "changed-apps";
            counter(
                    "emp.reconcile.passes",
                    "passes of the reconciler, over every app or over the changed ones",
                    reconciler,
                    pass -> pass.passes(every),
                    "kind",
                    kind);
            gauge(
                    "emp.reconcile.last.pass.seconds",
                    "how long the reconciler's last pass of this kind took",
                    reconciler,
                    pass -> pass.lastPassSeconds(every),
                    "kind",
                    kind);
        }
        tracing(aggregator::counters);
    }

    /** The scaling loop's figures: its ticks, how long the last took, and the changes of replicas it made. */
    public void watch(ScalingLoop loop) {
        counter("emp.scaling.ticks", "ticks of the scaling loop", loop, ScalingLoop::ticks);
        gauge(
                "emp.scaling.last.tick.seconds",
                "how long the scaling loop's last tick took",
                loop,
                ScalingLoop::lastTickSeconds);
        counter("emp.scaling.changes", "changes of replicas the scaling loop made", loop, ScalingLoop::scalings);
    }

    /**
     * The gateway's requests of every app together (where the cluster measures them in its request path): their rate,
     * those refused, and those waiting now. Sums, which name no app.
     */
    public void watchGateway(AppService apps, ClusterManager cluster) {
        gauge(
                "emp.gateway.requests.rate",
                "requests per second at the gateway, every app's, over the last 10 s",
                apps,
                each -> sumOfLoads(each, cluster, load -> load.arrivalRate(AppMetrics.GATEWAY_SECONDS)));
        gauge(
                "emp.gateway.rejected.rate",
                "requests per second the gateway refused, every app's, over the last 10 s",
                apps,
                each -> sumOfLoads(
                        each,
                        cluster,
                        load -> load.last(AppMetrics.GATEWAY_SECONDS).stream()
                                        .mapToLong(LoadSecond::rejected)
                                        .sum()
                                / (double) AppMetrics.GATEWAY_SECONDS));
        gauge(
                "emp.gateway.queued",
                "requests waiting at the gateway for a free replica now, every app's",
                apps,
                each -> sumOfLoads(each, cluster, load -> (double) load.queued()));
    }

    private static double sumOfLoads(AppService apps, ClusterManager cluster, ToDoubleFunction<LoadFigures> figure) {
        double sum = 0;
        for (AppRecord record : apps.allRecords()) {
            Optional<LoadFigures> load = cluster.load(record.ref());
            if (load.isPresent()) {
                sum += figure.applyAsDouble(load.get());
            }
        }
        return sum;
    }

    /** The dashboard's live streams open now. */
    public void watch(LiveStreams streams) {
        gauge("emp.dashboard.streams", "live streams of the dashboard open now", streams, LiveStreams::open);
    }

    /** A counter read from {@code source} at each scrape, e.g. the reconciler's passes. */
    private <T> void counter(String name, String description, T source, ToDoubleFunction<T> count, String... tags) {
        FunctionCounter.builder(name, source, count)
                .description(description)
                .tags(tags)
                .register(registry);
    }

    /** A gauge read from {@code source} at each scrape. */
    private <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value, String... tags) {
        Gauge.builder(name, source, value).description(description).tags(tags).register(registry);
    }

    /**
     * The trace aggregation's counters ({@code TraceAggregator.counters()}), each as {@code emp_tracing_<name>}: those
     * that only grow as counters, the others ({@code spans_pending}, {@code sampling_one_in}) as gauges.
     */
    private void tracing(Supplier<Map<String, Long>> counters) {
        for (String name : counters.get().keySet()) {
            ToDoubleFunction<Supplier<Map<String, Long>>> read =
                    supplier -> supplier.get().getOrDefault(name, 0L);
            String description = "trace aggregation: " + name.replace('_', ' ');
            if (name.equals("spans_pending") || name.equals("sampling_one_in")) {
                gauge("emp.tracing." + name, description, counters, read);
            } else {
                counter("emp.tracing." + name, description, counters, read);
            }
        }
    }

    /** The format to answer {@code accept} with: protobuf when asked for, else the text format. */
    public static String format(String accept) {
        return accept != null && accept.contains("application/vnd.google.protobuf") ? PROTOBUF : TEXT;
    }

    /**
     * The platform's figures in {@code format} ({@link #format}), followed by every app's when {@code apps} is given
     * (an operator's scrape): both formats allow one exposition after another.
     */
    public byte[] scrape(String format, AppMetrics apps) {
        byte[] platform = scrape(registry, format);
        if (apps == null) {
            return platform;
        }
        byte[] perApp = apps.scrape(format);
        byte[] both = Arrays.copyOf(platform, platform.length + perApp.length);
        System.arraycopy(perApp, 0, both, platform.length, perApp.length);
        return both;
    }

    static byte[] scrape(PrometheusMeterRegistry registry, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            registry.scrape(out, format);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
