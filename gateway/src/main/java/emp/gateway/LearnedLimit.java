package emp.gateway;

/**
 * The most requests one replica is given at once when its app's spec does not say: learned from the replica's
 * latency with Little's law, so that requests beyond what it serves in parallel wait in the gateway, where any replica
 * can take them, not inside the replica.
 *
 * <p>It keeps two averages of the replica's latency: of requests it had alone ({@code alone}, its service time), and
 * of requests sent while it was full ({@code full}). A replica kept full at limit {@code L} completes {@code L / full}
 * requests a second; at its service time that is the work of {@code parallel = L x alone / full} requests at once,
 * what it really serves in parallel. After {@code L} such requests, the limit becomes {@code parallel} plus a quarter
 * of it ({@link #HEADROOM}), at least one more: a serial server goes to 2, one with 4 threads to 5, and one that serves
 * all it is given grows by a quarter each round. A replica given fewer requests than its limit shows its parallelism
 * the same way once they queue inside it (they take {@link #QUEUEING} times its service time or more): at 4 in
 * flight a serial server takes 4 service times, so its limit falls to 2 though it was never full, and the requests
 * beyond wait in the gateway, where the figures show them. A fall is taken at most halfway at a time, and a replica
 * that fails a request (unreachable, closed, too slow) has its limit halved. A limit only grows from rounds at the
 * limit; a replica never seen alone is not adjusted until it is.
 *
 * <p>Unlike limits that watch the latency change over time (TCP Vegas, Netflix's gradient), it learns the knee of a
 * replica loaded from its first second, which never shows a change. Not thread-safe: its queue calls it under its
 * lock.
 */
final class LearnedLimit {
    static final int INITIAL = 20;
    static final int MAX = 1000;
    /** The share of the measured parallelism added to it; at least one is. */
    static final double HEADROOM = 0.25;
    /** The weight of a new sample in the averages. */
    private static final double SMOOTHING = 0.2;

    /** Requests queue inside a replica when they take this many times its service time or more. */
    static final double QUEUEING = 1.5;
    /** The fewest requests sent alongside others that tell a fall. */
    private static final int MIN_ROUND = 10;

    private int limit = INITIAL;
    private double aloneMs = Double.NaN;
    private double fullMs = Double.NaN;
    private int fullSamples;
    private double sharedConcurrency;
    private double sharedMs;
    private int sharedSamples;

    int limit() {
        return limit;
    }

    /**
     * One request the replica ended.
     *
     * @param alongside the requests it had when this one was sent, not counting it
     * @param dropped   whether the replica failed it
     */
    void sample(long latencyNanos, int alongside, boolean dropped) {
        if (dropped) {
            limit = Math.max(1, limit / 2);
            restartRound();
            return;
        }
        double ms = latencyNanos / 1e6;
        if (alongside == 0) {
            aloneMs = average(aloneMs, ms);
        } else {
            sharedConcurrency += alongside + 1;
            sharedMs += ms;
            sharedSamples++;
        }
        if (alongside + 1 >= limit) {
            fullMs = average(fullMs, ms);
            fullSamples++;
        }
        if (Double.isNaN(aloneMs)) {
            return;
        }
        if (fullSamples >= limit) {
            adjust(limit, fullMs);
        } else if (sharedSamples >= Math.max(MIN_ROUND, limit)) {
            // Below its limit, a replica shows its parallelism only when requests queue inside it; then the limit
            // falls.
            double concurrency = sharedConcurrency / sharedSamples;
            double latency = sharedMs / sharedSamples;
            if (latency >= QUEUEING * aloneMs) {
                adjust(concurrency, latency);
            } else {
                restartRound();
            }
        }
    }

    /** After a round of requests sent at {@code concurrency} in flight on average, which took {@code latencyMs}. */
    private void adjust(double concurrency, double latencyMs) {
        double parallel = concurrency * aloneMs / Math.max(latencyMs, 1e-6);
        long rounded = Math.round(parallel);
        int target = (int) Math.max(1, Math.min(MAX, rounded + Math.max(1, Math.round(parallel * HEADROOM))));
        if (target < limit) {
            limit = Math.max(target, limit / 2);
        } else if (concurrency >= limit) {
            limit = target;
        }
        restartRound();
    }

    private void restartRound() {
        fullSamples = 0;
        fullMs = Double.NaN;
        sharedConcurrency = 0;
        sharedMs = 0;
        sharedSamples = 0;
    }

    private static double average(double current, double sample) {
        return Double.isNaN(current) ? sample : current + SMOOTHING * (sample - current);
    }
}
