package emp.gateway;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the replica with the fewest requests in flight through this gateway, breaking ties round robin.
 *
 * <p>Counts are kept per address, so two route-table entries for one address share a count, and they are shared by
 * all event loops. Thread-safe; a pick and its count are not one atomic step, so two loops picking at the same instant
 * may both choose the same idle replica, which only costs balance, not correctness.
 */
final class LeastOutstandingBalancer {
    private final ConcurrentHashMap<InetSocketAddress, Integer> outstanding = new ConcurrentHashMap<>();
    private final AtomicInteger turn = new AtomicInteger();

    /**
     * Picks a replica among {@code backends} whose address is not in {@code excluded} and counts a request in flight
     * to it; the caller must {@link #release} it exactly once.
     *
     * @return empty when every replica is excluded
     */
    Optional<Backend> acquire(List<Backend> backends, Set<InetSocketAddress> excluded) {
        int size = backends.size();
        if (size == 0) {
            return Optional.empty();
        }
        int start = Math.floorMod(turn.getAndIncrement(), size);
        Backend best = null;
        int bestCount = Integer.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            Backend candidate = backends.get((start + i) % size);
            if (excluded.contains(candidate.address())) {
                continue;
            }
            int count = outstanding.getOrDefault(candidate.address(), 0);
            if (count < bestCount) {
                best = candidate;
                bestCount = count;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        outstanding.merge(best.address(), 1, Integer::sum);
        return Optional.of(best);
    }

    /** Counts a request to {@code backend} in flight without choosing it (a retry on the same replica). */
    void acquireSame(Backend backend) {
        outstanding.merge(backend.address(), 1, Integer::sum);
    }

    /** Ends one request counted by {@link #acquire} or {@link #acquireSame}. */
    void release(Backend backend) {
        // Removing the entry at zero keeps the map from collecting addresses of replicas long gone.
        outstanding.computeIfPresent(backend.address(), (address, count) -> count <= 1 ? null : count - 1);
    }

    /** Requests in flight to {@code address} now. */
    int outstanding(InetSocketAddress address) {
        return outstanding.getOrDefault(address, 0);
    }
}
