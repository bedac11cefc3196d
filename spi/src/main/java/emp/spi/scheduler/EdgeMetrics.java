package emp.spi.scheduler;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;

/**
 * Calls from one app to another over the window.
 *
 * @param from      the caller
 * @param to        the callee
 * @param rate      calls per second
 * @param errorRate the fraction of calls that failed
 * @param p95Ms     95th percentile latency of the calls
 */
public record EdgeMetrics(AppRef from, AppRef to, double rate, double errorRate, double p95Ms) {
    public EdgeMetrics {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
    }
}
