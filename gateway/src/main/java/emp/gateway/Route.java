package emp.gateway;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * Where an app's requests go and how the gateway holds them while its replicas are busy.
 *
 * @param backends         the app's ready replicas now, possibly none
 * @param concurrency      the most requests one replica is given at once, or {@link #LEARNED} for the gateway to learn
 *                         it from the replica's latency (see {@link ReplicaSlot})
 * @param queueTimeout     how long a request may wait for a free replica before the gateway answers 503
 * @param waitsForReplicas whether a request that finds no ready replica waits for one (the app is starting, or scaled
 *                         to zero and woken by demand) rather than being answered 503 at once (the app is stopped)
 */
public record Route(List<Backend> backends, int concurrency, Duration queueTimeout, boolean waitsForReplicas) {
    /** {@link #concurrency} when the gateway learns the limit. */
    public static final int LEARNED = 0;
    /** How long a request waits by default: the spec's {@code queue_timeout} default. */
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(30);

    public Route {
        backends = List.copyOf(backends);
        requireNonNull(queueTimeout, "queueTimeout is null");
        if (concurrency < 0) {
            throw new IllegalArgumentException("concurrency " + concurrency + " is negative; use 0 to learn it");
        }
        if (queueTimeout.isNegative() || queueTimeout.isZero()) {
            throw new IllegalArgumentException("queueTimeout '" + queueTimeout + "' must be positive");
        }
    }

    /**
     * Replicas with a learned limit and the default queue timeout; with none ready, a request is answered 503 at
     * once.
     */
    public static Route to(List<Backend> backends) {
        return new Route(backends, LEARNED, DEFAULT_QUEUE_TIMEOUT, false);
    }

    public boolean learnsConcurrency() {
        return concurrency == LEARNED;
    }
}
