package emp.host.tracing;

import emp.spi.AppRef;
import emp.spi.scheduler.EdgeMetrics;
import emp.spi.scheduler.WindowMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Sliding windows of what traces say, per app and per call edge: one bucket per second (by the time the sample's
 * request ended), the last {@code window} of them read together. Bucketing by the end, not the start, keeps the slow
 * requests: a request that waited 5 s in a backlog is reported only when it ends, and by its start it would fall out
 * of the window just when it is the news an autoscaler needs. Memory is bounded by the number of apps and edges times
 * the buckets kept. A sample whose bucket is gone already (its trace was read late, or its clock is behind) goes into
 * the bucket of its arrival and is counted as late, rather than lost: a platform behind on its traces still sees the
 * load. Each sample carries a weight, the number of requests it stands for when only some traces are read (see
 * {@link TraceSampler}). Thread-safe without a global lock: each app's and edge's series has its own, so analysing
 * threads writing different apps never wait for each other.
 */
public final class SpanWindows {
    /** Latencies above this are recorded as this: an hour, in microseconds. */
    private static final long MAX_MICROS = Duration.ofHours(1).toNanos() / 1000;

    private final long bucketMicros;
    private final int windowBuckets;
    /** Buckets kept beyond the window, so samples of traces that settle late still land. */
    private final int spareBuckets;

    private final ConcurrentMap<AppRef, Series> apps = new ConcurrentHashMap<>();
    private final ConcurrentMap<Edge, Series> edges = new ConcurrentHashMap<>();
    private final LongAdder late = new LongAdder();

    public SpanWindows(Duration window, Duration bucket, Duration lateness) {
        this.bucketMicros = bucket.toNanos() / 1000;
        this.windowBuckets = (int) Math.max(1, window.toNanos() / bucket.toNanos());
        this.spareBuckets = (int) Math.max(1, (lateness.toNanos() + bucket.toNanos() - 1) / bucket.toNanos()) + 1;
    }

    public void add(AppSample sample, long nowMicros) {
        add(sample, nowMicros, 1);
    }

    /** Records {@code sample} as {@code weight} requests. */
    public void add(AppSample sample, long nowMicros, long weight) {
        Series series = apps.get(sample.app());
        if (series == null) {
            series = apps.computeIfAbsent(sample.app(), app -> new Series());
        }
        series.add(
                bucketOf(sample.startMicros() + sample.durationMicros()),
                bucketOf(nowMicros),
                sample.durationMicros(),
                sample.selfMicros(),
                sample.error(),
                weight);
    }

    public void add(EdgeSample sample, long nowMicros) {
        add(sample, nowMicros, 1);
    }

    /** Records {@code sample} as {@code weight} calls. */
    public void add(EdgeSample sample, long nowMicros, long weight) {
        Series series = edges.computeIfAbsent(new Edge(sample.from(), sample.to()), key -> new Series());
        series.add(
                bucketOf(sample.startMicros() + sample.durationMicros()),
                bucketOf(nowMicros),
                sample.durationMicros(),
                0,
                sample.error(),
                weight);
    }

    /**
     * The app's figures over the window that ends at {@code nowMicros}. Rates are per second of the window that has
     * data: an app whose requests began 2 s ago has the rate of those 2 s, not a tenth of it diluted over 20 s.
     */
    public WindowMetrics app(AppRef app, long nowMicros) {
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
    public List<EdgeMetrics> edgesFrom(AppRef app, long nowMicros) {
        List<EdgeMetrics> result = new ArrayList<>();
        for (Map.Entry<Edge, Series> entry : edges.entrySet()) {
            if (!entry.getKey().from().equals(app)) {
                continue;
            }
            long nowIndex = bucketOf(nowMicros);
            Bucket total = entry.getValue().window(nowIndex);
            if (total.count > 0) {
                result.add(new EdgeMetrics(
                        app,
                        entry.getKey().to(),
                        total.count / coveredSeconds(total, nowIndex),
                        (double) total.errors / total.count,
                        millis(total.latency.getValueAtPercentile(95))));
            }
        }
        result.sort((a, b) -> Double.compare(b.rate(), a.rate()));
        return result;
    }

    /**
     * The last instant of the last whole bucket that ends at or before {@code micros}: a window read there holds
     * whole seconds only. One read at {@code micros} itself would count the second still filling as a whole one.
     */
    public long lastWholeBucketBefore(long micros) {
        return Math.floorDiv(micros, bucketMicros) * bucketMicros - 1;
    }

    /** Forgets an app and its edges (it was removed). */
    public void forget(AppRef app) {
        apps.remove(app);
        edges.keySet().removeIf(key -> key.from().equals(app) || key.to().equals(app));
    }

    /** Samples that came after their own bucket was gone, put in the bucket of their arrival instead. */
    public long late() {
        return late.sum();
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

    private record Edge(AppRef from, AppRef to) {}

    /** A ring of buckets for one app or edge, guarded by its own lock. */
    private final class Series {
        private final Bucket[] ring = new Bucket[windowBuckets + spareBuckets];

        synchronized void add(
                long index, long nowIndex, long durationMicros, long selfMicros, boolean error, long weight) {
            long at = index;
            if (index <= nowIndex - ring.length) {
                late.increment();
                at = nowIndex;
            } else if (index > nowIndex + 1) {
                // A clock ahead of the server's: the sample is news now.
                at = nowIndex;
            }
            bucket(at).add(durationMicros, selfMicros, error, weight);
        }

        /** The bucket for {@code index}, made anew when its slot holds an older one. */
        private Bucket bucket(long index) {
            int slot = (int) Math.floorMod(index, (long) ring.length);
            Bucket bucket = ring[slot];
            if (bucket == null || bucket.index != index) {
                bucket = new Bucket(index);
                ring[slot] = bucket;
            }
            return bucket;
        }

        /** The window's buckets merged: the last {@code windowBuckets} complete seconds and the current one. */
        synchronized Bucket window(long nowIndex) {
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

        void add(long durationMicros, long selfMicros, boolean error, long weight) {
            latency.recordValueWithCount(Math.max(0, Math.min(MAX_MICROS, durationMicros)), weight);
            count += weight;
            errors += error ? weight : 0;
            selfSum += selfMicros * weight;
            durationSum += durationMicros * weight;
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
