package emp.host.dashboard;

import emp.host.apps.AppService;
import emp.host.apps.AppView;
import emp.host.tracing.TraceAggregator;
import emp.spi.AppRef;
import emp.spi.scheduler.WindowMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every app's figures over the last minutes, for the dashboard's charts: every {@link #INTERVAL}, each app's latency
 * percentiles, request and error rates as its trace window reads them, and its replicas wanted and ready. Every server
 * keeps its own (what it reads of the windows it holds); nothing goes to the store.
 *
 * <p>All apps are sampled at the same instants, so the times are held once and each app holds only its figures: seven
 * floats per sample, {@value #SAMPLES} samples, about 3.4 KiB an app. An app removed is forgotten at the next sample.
 */
public final class AppHistory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AppHistory.class);
    public static final Duration INTERVAL = Duration.ofSeconds(5);
    /** Ten minutes at {@link #INTERVAL}. */
    static final int SAMPLES = 120;

    private static final int P50 = 0, P95 = 1, P99 = 2, RATE = 3, ERRORS = 4, DESIRED = 5, READY = 6, SERIES = 7;

    private final AppService apps;
    private final TraceAggregator aggregator;
    private final Clock clock;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "emp-app-history");
        thread.setDaemon(true);
        return thread;
    });
    /** Guarded by {@code this}: the instants of the samples, a ring; {@code taken} of them so far. */
    private final Instant[] times = new Instant[SAMPLES];

    private long taken;
    /** Guarded by {@code this}: each app's figures by app id, {@code [series][slot]}, NaN where not measured. */
    private final Map<String, float[][]> figures = new HashMap<>();

    public AppHistory(AppService apps, TraceAggregator aggregator, Clock clock) {
        this.apps = apps;
        this.aggregator = aggregator;
        this.clock = clock;
    }

    public void start() {
        long period = INTERVAL.toMillis();
        sampler.scheduleWithFixedDelay(this::sampleSafely, 0, period, TimeUnit.MILLISECONDS);
    }

    /**
     * One sample of the app's figures.
     *
     * @param time     when it was taken
     * @param p50Ms    null while the app had no requests in its window, as the other latencies
     * @param rate     requests per second
     * @param errorRate the share of requests that failed
     * @param replicas the replicas wanted then
     * @param ready    the replicas ready then
     */
    public record Sample(
            Instant time,
            Double p50Ms,
            Double p95Ms,
            Double p99Ms,
            Double rate,
            Double errorRate,
            Integer replicas,
            Integer ready) {}

    private void sampleSafely() {
        try {
            sample();
        } catch (RuntimeException e) {
            log.warn("app history: a sample failed and is skipped", e);
        }
    }

    /** Takes one sample of every app; visible for tests. */
    void sample() {
        Instant now = clock.instant();
        List<AppView> every = apps.listAll();
        Map<String, float[]> measured = new HashMap<>(every.size() * 2);
        for (AppView app : every) {
            WindowMetrics window =
                    aggregator.figures(new AppRef(app.owner(), app.name())).metrics();
            boolean traffic = window.spans() > 0;
            float[] values = new float[SERIES];
            values[P50] = traffic ? (float) window.p50Ms() : Float.NaN;
            values[P95] = traffic ? (float) window.p95Ms() : Float.NaN;
            values[P99] = traffic ? (float) window.p99Ms() : Float.NaN;
            values[RATE] = (float) window.rate();
            values[ERRORS] = traffic ? (float) window.errorRate() : Float.NaN;
            values[DESIRED] = app.replicas().desired();
            values[READY] = app.replicas().ready();
            measured.put(app.id(), values);
        }
        synchronized (this) {
            int slot = (int) (taken % SAMPLES);
            times[slot] = now;
            taken++;
            figures.keySet().retainAll(measured.keySet());
            for (Map.Entry<String, float[]> app : measured.entrySet()) {
                float[][] series = figures.computeIfAbsent(app.getKey(), id -> empty());
                for (int s = 0; s < SERIES; s++) {
                    series[s][slot] = app.getValue()[s];
                }
            }
        }
    }

    /** The app's samples, oldest first; empty for an app not sampled yet. */
    public synchronized List<Sample> of(String appId) {
        float[][] series = figures.get(appId);
        if (series == null) {
            return List.of();
        }
        int count = (int) Math.min(taken, SAMPLES);
        List<Sample> samples = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int slot = (int) ((taken - count + i) % SAMPLES);
            if (Float.isNaN(series[DESIRED][slot])) {
                continue; // before the app was deployed
            }
            samples.add(new Sample(
                    times[slot],
                    boxed(series[P50][slot]),
                    boxed(series[P95][slot]),
                    boxed(series[P99][slot]),
                    boxed(series[RATE][slot]),
                    boxed(series[ERRORS][slot]),
                    (int) series[DESIRED][slot],
                    (int) series[READY][slot]));
        }
        return samples;
    }

    private static Double boxed(float value) {
        return Float.isNaN(value) ? null : Math.round(value * 1000.0) / 1000.0;
    }

    private static float[][] empty() {
        float[][] series = new float[SERIES][SAMPLES];
        for (float[] each : series) {
            Arrays.fill(each, Float.NaN);
        }
        return series;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
