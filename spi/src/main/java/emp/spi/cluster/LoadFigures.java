package emp.spi.cluster;

import java.util.List;

/**
 * An app's load as the cluster's request path measures it, exactly and every second: what a scheduler sizes from
 * where the cluster queues requests in front of replicas (the local cluster's gateway). Spans remain the signal where
 * the cluster cannot measure this (Kubernetes).
 *
 * @param seconds          the last whole seconds, oldest first, at most {@link #MAX_SECONDS}; the current, partial
 *                         second is not among them
 * @param inFlight         requests at the replicas now
 * @param queued           requests waiting for a free replica now
 * @param oldestQueuedMs   how long the oldest of them has waited; 0 when none waits
 * @param limitPerReplica  the most requests one replica is given at once now
 * @param limitLearned     whether that limit was learned by the cluster rather than set by the spec's
 *                         {@code concurrency}
 * @since 0.1
 */
public record LoadFigures(
        List<LoadSecond> seconds,
        int inFlight,
        int queued,
        double oldestQueuedMs,
        int limitPerReplica,
        boolean limitLearned) {
    /** The most seconds of history kept: a scale-down's stable window. */
    public static final int MAX_SECONDS = 60;

    public LoadFigures {
        seconds = List.copyOf(seconds);
        if (seconds.size() > MAX_SECONDS) {
            throw new IllegalArgumentException("more than " + MAX_SECONDS + " seconds: " + seconds.size());
        }
        if (inFlight < 0 || queued < 0 || limitPerReplica < 1) {
            throw new IllegalArgumentException(
                    "inFlight " + inFlight + ", queued " + queued + ", limit " + limitPerReplica + " out of range");
        }
    }

    /** The newest {@code count} seconds (fewer when fewer are kept), oldest first. */
    public List<LoadSecond> last(int count) {
        return seconds.subList(Math.max(0, seconds.size() - Math.max(0, count)), seconds.size());
    }

    /** Arrivals per second over the newest {@code count} seconds; 0 with none. */
    public double arrivalRate(int count) {
        List<LoadSecond> window = last(count);
        return window.isEmpty()
                ? 0
                : window.stream().mapToLong(LoadSecond::arrivals).sum() / (double) window.size();
    }

    /** Completions per second over the newest {@code count} seconds; 0 with none. */
    public double completionRate(int count) {
        List<LoadSecond> window = last(count);
        return window.isEmpty()
                ? 0
                : window.stream().mapToLong(LoadSecond::completions).sum() / (double) window.size();
    }

    /** The mean service time of the completions of the newest {@code count} seconds; 0 with none. */
    public double serviceMs(int count) {
        double total = 0;
        long completions = 0;
        for (LoadSecond second : last(count)) {
            total += second.serviceMs() * second.completions();
            completions += second.completions();
        }
        return completions == 0 ? 0 : total / completions;
    }

    /** Requests at the replicas and waiting, averaged over the newest {@code count} seconds: the app's concurrency. */
    public double meanConcurrency(int count) {
        List<LoadSecond> window = last(count);
        return window.isEmpty()
                ? 0
                : window.stream()
                                .mapToDouble(second -> second.meanInFlight() + second.meanQueued())
                                .sum()
                        / window.size();
    }

    /** The mean number waiting over the newest {@code count} seconds. */
    public double meanQueued(int count) {
        List<LoadSecond> window = last(count);
        return window.isEmpty()
                ? 0
                : window.stream().mapToDouble(LoadSecond::meanQueued).sum() / window.size();
    }
}
