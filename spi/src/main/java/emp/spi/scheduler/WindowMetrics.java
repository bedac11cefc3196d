package emp.spi.scheduler;

/**
 * An app's measurements over a sliding window.
 *
 * @param windowSeconds how long the window is
 * @param spans         how many server spans fell in it
 * @param rate          requests per second
 * @param errorRate     the fraction of requests that failed, 0 to 1
 * @param p50Ms         median latency
 * @param p95Ms         95th percentile latency
 * @param p99Ms         99th percentile latency
 * @param selfMs        mean time per request not spent waiting on other apps
 * @param concurrency   mean requests in flight
 */
public record WindowMetrics(
        double windowSeconds,
        long spans,
        double rate,
        double errorRate,
        double p50Ms,
        double p95Ms,
        double p99Ms,
        double selfMs,
        double concurrency) {
    public static WindowMetrics empty(double windowSeconds) {
        return new WindowMetrics(windowSeconds, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
