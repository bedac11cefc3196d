package emp.gateway;

/**
 * One replica as its app's {@link AppQueue} sees it: the requests it has now and the most it may be given at once.
 *
 * <p>The limit is the spec's {@code concurrency} when it has one; otherwise it is learned from the replica's latency
 * (see {@link LearnedLimit}).
 *
 * <p>Not thread-safe: its queue calls it under its lock.
 */
final class ReplicaSlot {
    private Backend backend;
    private int concurrency;
    private LearnedLimit learned;
    private int inFlight;
    private boolean routed = true;

    ReplicaSlot(Backend backend, int concurrency) {
        this.backend = backend;
        configure(concurrency);
    }

    /** Takes the route's concurrency ({@link Route#LEARNED} or a fixed count); a learned limit is kept while learning. */
    void configure(int newConcurrency) {
        if (newConcurrency == Route.LEARNED && learned == null) {
            learned = new LearnedLimit();
        } else if (newConcurrency != Route.LEARNED) {
            learned = null;
        }
        concurrency = newConcurrency;
    }

    Backend backend() {
        return backend;
    }

    void backend(Backend current) {
        backend = current;
    }

    int limit() {
        return learned == null ? concurrency : learned.limit();
    }

    int inFlight() {
        return inFlight;
    }

    /** Whether it is in the app's route still: a replica out of it (being stopped) only finishes what it has. */
    boolean routed() {
        return routed;
    }

    void routed(boolean inRoute) {
        routed = inRoute;
    }

    boolean free() {
        return routed && inFlight < limit();
    }

    /** @return the requests it had before this one */
    int taken() {
        return inFlight++;
    }

    /**
     * A request it had ended.
     *
     * @param sentNanos when it was sent, for the latency sample; negative when the request tells nothing of the
     *                  replica's speed (its client left)
     * @param alongside the requests the replica had when it was sent
     * @param dropped   whether the replica failed it (unreachable, closed, too slow), which lowers a learned limit
     */
    void ended(long sentNanos, int alongside, long now, boolean dropped) {
        if (learned != null && sentNanos >= 0) {
            learned.sample(now - sentNanos, alongside, dropped);
        }
        inFlight--;
    }
}
