package emp.host.tracing;

import emp.spi.AppRef;
import emp.spi.scheduler.EdgeMetrics;
import emp.spi.scheduler.WindowMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Sliding windows of what traces say, per app and per call edge: one bucket per second (by the time the sample's
 * request ended), the last {@code window} of them read together. Bucketing by the end, not the start, keeps the slow
 * requests: a request that waited 5 s in a backlog is reported only when it ends, and by its start it would fall out
 * of the window (or be dropped as too old) just when it is the news an autoscaler needs. Memory is bounded by the number of apps and edges times the
 * buckets kept; samples older than the buckets kept are dropped and counted. Thread-safe (one lock: samples come
 * from one analysing thread, reads from API requests and the scheduler).
 */
public final class SpanWindows {
    /** Latencies above this are recorded as this: an hour, in microseconds. */
    private static final long MAX_MICROS = Duration.ofHours(1).toNanos() / 1000;

    private final long bucketMicros;
    private final int windowBuckets;
    /** Buckets kept beyond the window, so samples of traces that settle late still land. */
    private final int spareBuckets;

    private final Map<AppRef, Series> apps = new HashMap<>();
    private final Map<List<AppRef>, Series> edges = new HashMap<>();
    private long tooOld;

    public SpanWindows(Duration window, Duration bucket, Duration lateness) {
        this.bucketMicros = bucket.toNanos() / 1000;
        this.windowBuckets = (int) Math.max(1, window.toNanos() / bucket.toNanos());
        this.spareBuckets = (int) Math.max(1, (lateness.toNanos() + bucket.toNanos() - 1) / bucket.toNanos()) + 1;
    }

    public synchronized void add(AppSample sample, long nowMicros) {
        Series series = apps.computeIfAbsent(sample.app(), app -> new Series());
        if (!series.bucket(bucketOf(sample.startMicros() + sample.durationMicros()), bucketOf(nowMicros))
                .add(sample.durationMicros(), sample.selfMicros(), sample.error())) {
            tooOld++;
        }
    }

    public synchronized void add(EdgeSample sample, long nowMicros) {
        Series series = edges.computeIfAbsent(List.of(sample.from(), sample.to()), key -> new Series());
        if (!series.bucket(bucketOf(sample.startMicros() + sample.durationMicros()), bucketOf(nowMicros))
                .add(sample.durationMicros(), 0, sample.error())) {
            tooOld++;
        }
    }

    /**
     * The app's figures over the window that ends at {@code nowMicros}. Rates are per second of the window that has
     * data: an app whose requests began 2 s ago has the rate of those 2 s, not a tenth of it diluted over 20 s.
     */
    public synchronized WindowMetrics app(AppRef app, long nowMicros) {
        Series series = apps.get(app);
        if (series == null) {
            return WindowMetrics.empty(windowSeconds());
        }
        long nowIndex = bucketOf(nowMicros);
        Bucket total = series.window(nowIndex);
        if (total.count == 0) {
            return WindowMetrics.empty(windowSeconds());
        }
        double seconds = coveredSeconds(total, nowIndex);
        return new WindowMetrics(
                seconds,
                total.count,
                total.count / seconds,
                (double) total.errors / total.count,
                millis(total.latency.getValueAtPercentile(50)),
                millis(total.latency.getValueAtPercentile(95)),
                millis(total.latency.getValueAtPercentile(99)),
                millis(total.selfSum / (double) total.count),
                total.durationSum / 1e6 / seconds);
    }

    /** The calls {@code app} made to other apps over the window, busiest first. */
    public synchronized List<EdgeMetrics> edgesFrom(AppRef app, long nowMicros) {
        double seconds = windowSeconds();
        List<EdgeMetrics> result = new ArrayList<>();
        for (Map.Entry<List<AppRef>, Series> entry : edges.entrySet()) {
            if (!entry.getKey().get(0).equals(app)) {
                continue;
            }
            long nowIndex = bucketOf(nowMicros);
            Bucket total = entry.getValue().window(nowIndex);
            if (total.count > 0) {
                result.add(new EdgeMetrics(
                        app,
                        entry.getKey().get(1),
                        total.count / coveredSeconds(total, nowIndex),
                        (double) total.errors / total.count,
                        millis(total.latency.getValueAtPercentile(95))));
            }
        }
        result.sort((a, b) -> Double.compare(b.rate(), a.rate()));
        return result;
    }

    /** Forgets an app and its edges (it was removed). */
    public synchronized void forget(AppRef app) {
        apps.remove(app);
        edges.keySet().removeIf(key -> key.contains(app));
    }

    /** Samples dropped because they fell before the oldest bucket kept. */
    public synchronized long tooOld() {
        return tooOld;
    }

    public double windowSeconds() {
        return windowBuckets * bucketMicros / 1e6;
    }

    /** The seconds of the window from its oldest bucket with data to its end, whole buckets. */
    private double coveredSeconds(Bucket total, long nowIndex) {
        long buckets = Math.min(windowBuckets, Math.max(1, nowIndex - total.oldestWithData + 1));
        return buckets * bucketMicros / 1e6;
    }

    private long bucketOf(long micros) {
        return Math.floorDiv(micros, bucketMicros);
    }

    private static double millis(double micros) {
        return micros / 1000.0;
    }

    /** A ring of buckets for one app or edge. */
    private final class Series {
        private final Bucket[] ring = new Bucket[windowBuckets + spareBuckets];

        /** The bucket for {@code index}, or a sink that refuses when it is older than the ring keeps. */
        Bucket bucket(long index, long nowIndex) {
            if (index <= nowIndex - ring.length || index > nowIndex + 1) {
                return Bucket.REFUSING;
            }
            int slot = (int) Math.floorMod(index, (long) ring.length);
            Bucket bucket = ring[slot];
            if (bucket == null || bucket.index != index) {
                bucket = new Bucket(index);
                ring[slot] = bucket;
            }
            return bucket;
        }

        /** The window's buckets merged: the last {@code windowBuckets} complete seconds and the current one. */
        Bucket window(long nowIndex) {
            Bucket total = new Bucket(nowIndex);
            for (Bucket bucket : ring) {
                if (bucket != null && bucket.index > nowIndex - windowBuckets && bucket.index <= nowIndex) {
                    total.merge(bucket);
                    if (bucket.count > 0) {
                        total.oldestWithData = Math.min(total.oldestWithData, bucket.index);
                    }
                }
            }
            return total;
        }
    }

    private static final class Bucket {
        static final Bucket REFUSING = new Bucket(Long.MIN_VALUE);

        final long index;
        final Histogram latency = new Histogram(MAX_MICROS, 2);
        long count;
        long errors;
        long selfSum;
        long durationSum;
        /** In a merged window: the index of its oldest bucket with a sample. */
        long oldestWithData = Long.MAX_VALUE;

        Bucket(long index) {
            this.index = index;
        }

        boolean add(long durationMicros, long selfMicros, boolean error) {
            if (this == REFUSING) {
                return false;
            }
            latency.recordValue(Math.max(0, Math.min(MAX_MICROS, durationMicros)));
            count++;
            errors += error ? 1 : 0;
            selfSum += selfMicros;
            durationSum += durationMicros;
            return true;
        }

        void merge(Bucket other) {
            latency.add(other.latency);
            count += other.count;
            errors += other.errors;
            selfSum += other.selfSum;
            durationSum += other.durationSum;
        }
    }
}
