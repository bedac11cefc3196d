package emp.bench.autoscale;

/**
 * One app in one second, as {@code GET /v1/apps} and {@code GET /v1/apps/{id}/tracing} showed it.
 *
 * @param desired     the replicas wanted
 * @param ready       the replicas ready to serve
 * @param rate        requests per second over EMP's trace window
 * @param p95Ms       the app's own p95 over the window (NaN when it had no requests)
 * @param selfMs      mean time per request not spent waiting on other apps
 * @param concurrency mean requests in flight
 */
public record AppSample(
        int second, String app, int desired, int ready, double rate, double p95Ms, double selfMs, double concurrency) {}
