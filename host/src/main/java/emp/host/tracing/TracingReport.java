package emp.host.tracing;

import java.util.List;

/**
 * What {@code emp tracing ID} and {@code GET /v1/apps/{id}/tracing} show: an app's figures over the window and its
 * calls to other apps.
 *
 * @param app           {@code owner/name}
 * @param windowSeconds how long the window is, from its oldest second with a request: shorter than the configured
 *                      window for an app whose requests began within it
 * @param spans         requests measured in the window
 * @param rate          requests per second
 * @param errorRate     fraction of requests that failed
 * @param p50Ms         median latency
 * @param p95Ms         95th percentile latency
 * @param p99Ms         99th percentile latency
 * @param selfMs        mean time per request not spent waiting on other apps
 * @param concurrency   mean requests in flight
 * @param edges         calls to other apps, busiest first
 * @param traceUrl      where the app's traces open in a trace UI, when one is configured
 * @param sampling      the share of traces read now: 1 while analysis keeps up; 0.5, 0.25... when it does not, and the
 *                      figures are scaled back from the traces read
 */
public record TracingReport(
        String app,
        double windowSeconds,
        long spans,
        double rate,
        double errorRate,
        double p50Ms,
        double p95Ms,
        double p99Ms,
        double selfMs,
        double concurrency,
        List<Edge> edges,
        String traceUrl,
        double sampling) {
    public TracingReport {
        edges = List.copyOf(edges);
    }

    /** @param to the callee, {@code owner/name}; @param rate calls per second; @param p95Ms the callee's p95 as the caller waited */
    public record Edge(String to, double rate, double errorRate, double p95Ms) {}
}
