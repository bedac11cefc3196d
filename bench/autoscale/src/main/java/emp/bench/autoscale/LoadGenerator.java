package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * An open-loop load generator: requests leave by the clock, one every 1/rate seconds, whether or not earlier ones
 * have been answered, and each one's latency is measured from the moment it was meant to leave, so a server that
 * falls behind shows it as latency instead of slowing the load down (no coordinated omission).
 *
 * <p>Every request is counted in the second it was meant to leave: sent, answered below 400 (completed), failed
 * (an answer of 400 or more, or no answer within the timeout), and its latency. Not thread-safe: one run at a time.
 */
public final class LoadGenerator implements AutoCloseable {
    /** Latencies are kept in microseconds up to this, to two significant digits per second. */
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(2);

    private final URI target;
    private final Duration timeout;
    private final ExecutorService callbacks = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "load-callbacks");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client;

    /**
     * @param target  the URL every request GETs
     * @param timeout how long a request may take before it counts as failed
     */
    public LoadGenerator(URI target, Duration timeout) {
        this.target = requireNonNull(target, "target is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .executor(callbacks)
                .build();
    }

    /** What happened to the requests meant to leave in one second. */
    public record Second(int second, double targetRps, long sent, long completed, long errors, Histogram latencies) {
        /** The {@code percentile} of this second's latencies in milliseconds, or NaN when none were measured. */
        public double percentileMs(double percentile) {
            return latencies.getTotalCount() == 0 ? Double.NaN : latencies.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    /** A run's seconds, and every latency of its measured part (second 0 on) in one histogram. */
    public record Result(List<Second> seconds, Histogram overall) {
        public Result {
            seconds = List.copyOf(seconds);
        }
    }

    /**
     * Sends the schedule's load from {@code fromSecond} (negative: a warm-up) to {@code toSecond}, counted from
     * {@code zeroNanos} ({@link System#nanoTime()} of second 0), then waits for the last answers.
     */
    public Result run(Schedule schedule, long zeroNanos, int fromSecond, int toSecond) throws InterruptedException {
        int count = toSecond - fromSecond;
        Bucket[] buckets = new Bucket[count];
        for (int i = 0; i < count; i++) {
            buckets[i] = new Bucket(fromSecond + i, rateAt(schedule, fromSecond + i, fromSecond));
        }
        Histogram overall = new Histogram(HIGHEST_MICROS, 3);
        AtomicInteger inFlight = new AtomicInteger();
        double at = fromSecond;
        while (at < toSecond) {
            long intended = zeroNanos + (long) (at * 1e9);
            long wait = intended - System.nanoTime();
            while (wait > 0) {
                LockSupport.parkNanos(wait);
                wait = intended - System.nanoTime();
            }
            Bucket bucket = buckets[(int) Math.floor(at) - fromSecond];
            boolean measured = at >= 0;
            bucket.sent();
            inFlight.incrementAndGet();
            HttpRequest request =
                    HttpRequest.newBuilder(target).timeout(timeout).GET().build();
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                long micros = Math.max(1, (System.nanoTime() - intended) / 1000);
                boolean ok = failure == null && response.statusCode() < 400;
                bucket.answered(ok, Math.min(micros, HIGHEST_MICROS));
                if (measured) {
                    synchronized (overall) {
                        overall.recordValue(Math.min(micros, HIGHEST_MICROS));
                    }
                }
                inFlight.decrementAndGet();
            });
            at += 1.0 / rateAt(schedule, at, fromSecond);
        }
        long deadline = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(2);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<Second> seconds = new ArrayList<>();
        for (Bucket bucket : buckets) {
            seconds.add(bucket.toSecond());
        }
        synchronized (overall) {
            return new Result(seconds, overall.copy());
        }
    }

    /**
     * The schedule's rate, but during a warm-up (negative seconds) a ramp from a fifth of the base rate to all of it
     * over the warm-up's first half, so that freshly started JVMs are not met by a queue before their code is
     * compiled.
     */
    private static double rateAt(Schedule schedule, double second, int fromSecond) {
        if (second >= 0 || fromSecond >= 0) {
            return schedule.rateAt(second);
        }
        double ramp = Math.min(1, (second - fromSecond) / (-fromSecond / 2.0));
        return schedule.baseRps() * (0.2 + 0.8 * ramp);
    }

    /**
     * Sends {@code count} unsampled requests one after the other (closed loop), so that every service of the stack has
     * loaded its classes, compiled its hot code and opened its connections before the load starts.
     */
    public void prewarm(int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            try {
                // "b3: 0": not sampled, so neither the gateway nor the services record these requests, and the
                // schedulers never see the cold JVMs' first latencies.
                client.send(
                        HttpRequest.newBuilder(target)
                                .timeout(timeout)
                                .header("b3", "0")
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (java.io.IOException e) {
                // A cold stack may fail a first request; the warm-up is what matters.
            }
        }
    }

    @Override
    public void close() {
        callbacks.shutdownNow();
    }

    /** One second's counters; answers arrive on the client's threads. */
    private static final class Bucket {
        private final int second;
        private final double targetRps;
        private final Histogram latencies = new Histogram(HIGHEST_MICROS, 2);
        private long sent;
        private long completed;
        private long errors;

        Bucket(int second, double targetRps) {
            this.second = second;
            this.targetRps = targetRps;
        }

        synchronized void sent() {
            sent++;
        }

        synchronized void answered(boolean ok, long micros) {
            if (ok) {
                completed++;
            } else {
                errors++;
            }
            latencies.recordValue(micros);
        }

        synchronized Second toSecond() {
            return new Second(second, targetRps, sent, completed, errors, latencies.copy());
        }
    }
}
