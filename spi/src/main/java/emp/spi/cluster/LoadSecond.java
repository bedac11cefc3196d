package emp.spi.cluster;

/**
 * What one app's requests did in one second, as the cluster's request path measured it (not sampled, not from spans).
 *
 * @param arrivals     requests that arrived for the app: its demand, whether or not they were served
 * @param completions  requests a replica answered
 * @param rejected     requests the platform answered itself because it could not serve them (queue full or timed
 *                     out, no replica reachable); never counted as completions
 * @param meanInFlight requests at the replicas, averaged over the second (the time integral of the count)
 * @param meanQueued   requests waiting for a free replica, averaged over the second
 * @param serviceMs    the mean time a completed request spent at its replica, from being sent to it to its answer's
 *                     end, without the time it waited in the queue; 0 when none completed
 */
public record LoadSecond(
        long arrivals, long completions, long rejected, double meanInFlight, double meanQueued, double serviceMs) {
    public LoadSecond {
        if (arrivals < 0 || completions < 0 || rejected < 0) {
            throw new IllegalArgumentException(
                    "counts are negative: " + arrivals + ", " + completions + ", " + rejected);
        }
    }
}
