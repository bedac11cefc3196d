package emp.gateway;

import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LoadSecond;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * One app's requests in the gateway: a slot per replica, so that a replica is never given more requests at once than
 * its limit (see {@link ReplicaSlot}), and a FIFO line for the requests beyond, bounded in length
 * ({@link GatewayConfig#maxQueuedPerApp()}) and, by each request's exchange, in time ({@link Route#queueTimeout()}).
 * A freed slot goes to the oldest waiting request, a replica that became ready takes waiting requests at once, and a
 * replica out of the route (being stopped) is given nothing more while what it has finishes. Measures the app's load
 * on the way (see {@link LoadMeter}).
 *
 * <p>Shared by all event loops; every method takes its lock for a few steps and none blocks. A waiting request is
 * handed its replica, or its refusal, on its own event loop.
 */
final class AppQueue {
    /** A request waiting for a replica. */
    interface Waiter {
        /** The loop its exchange runs on, where it is called back. */
        EventLoop loop();

        /** Replicas it must not be given (tried already). */
        Set<InetSocketAddress> excluded();

        /**
         * It has the slot of {@code backend}, which has {@code alongside} other requests; called on {@link #loop()}.
         */
        void admitted(Backend backend, int alongside);

        /** It will not be served (the app stopped or went away); called on {@link #loop()}. */
        void refused(Admission.Refused refusal);
    }

    private record Waiting(Waiter waiter, long since) {}

    private final Object lock = new Object();
    private final int maxQueued;
    private final LongSupplier nanoTime;
    private final Map<InetSocketAddress, ReplicaSlot> slots = new LinkedHashMap<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final LoadMeter meter;
    private Route route;
    private int inFlight;
    private int turn;

    AppQueue(Route route, int maxQueued, LongSupplier nanoTime) {
        this.maxQueued = maxQueued;
        this.nanoTime = nanoTime;
        this.meter = new LoadMeter(nanoTime.getAsLong());
        synchronized (lock) {
            update(route);
        }
    }

    /**
     * Gives {@code waiter} a replica's slot now, a place in line, or a refusal.
     *
     * @param retry whether the request was admitted before and its replica failed it: it goes to the head of the line
     *              and is not counted as an arrival again
     */
    Admission admit(Waiter waiter, boolean retry) {
        synchronized (lock) {
            long now = nanoTime.getAsLong();
            if (!retry) {
                meter.arrived(now);
            }
            if (retry || waiting.isEmpty()) {
                ReplicaSlot slot = pick(waiter.excluded());
                if (slot != null) {
                    return new Admission.Admitted(slot.backend(), take(slot, now));
                }
            }
            if (route.backends().isEmpty() && !route.waitsForReplicas()) {
                return stopped();
            }
            if (waiting.size() >= maxQueued) {
                return new Admission.Refused(
                        "has " + waiting.size() + " requests waiting for a free replica already, the most the gateway"
                                + " holds for one app; retry later",
                        "queue full",
                        retryAfter());
            }
            Waiting entry = new Waiting(waiter, now);
            if (retry) {
                waiting.addFirst(entry);
            } else {
                waiting.addLast(entry);
            }
            meter.levels(now, inFlight, waiting.size());
            return Admission.QUEUED;
        }
    }

    /**
     * Takes a slot of {@code backend} beyond its limit: a retry on a fresh connection to the replica that had the
     * request, whose slot was freed when its connection failed.
     *
     * @return the requests the replica has besides this one
     */
    int admitSame(Backend backend) {
        synchronized (lock) {
            ReplicaSlot slot = slots.computeIfAbsent(backend.address(), address -> {
                ReplicaSlot fresh = new ReplicaSlot(backend, route.concurrency());
                fresh.routed(false);
                return fresh;
            });
            return take(slot, nanoTime.getAsLong());
        }
    }

    /**
     * Ends a request that had a slot of {@code backend} and gives the slot to the oldest waiter that may have it.
     *
     * @param sentNanos when it was sent to the replica, or negative when it never was
     * @param alongside the requests the replica had besides it when it was given the slot
     * @param outcome   how it ended, for the figures and the learned limit
     */
    void release(Backend backend, long sentNanos, int alongside, Outcome outcome) {
        synchronized (lock) {
            long now = nanoTime.getAsLong();
            ReplicaSlot slot = slots.get(backend.address());
            if (slot == null) {
                return;
            }
            slot.ended(outcome == Outcome.ABANDONED ? -1 : sentNanos, alongside, now, outcome == Outcome.FAILED);
            inFlight--;
            if (outcome == Outcome.ANSWERED) {
                meter.completed(now, now - sentNanos);
            }
            if (!slot.routed() && slot.inFlight() == 0) {
                slots.remove(backend.address());
            }
            dispatch(now);
        }
    }

    /**
     * Takes {@code waiter} out of the line.
     *
     * @return false when it was not waiting: it was handed a slot or a refusal meanwhile, which reaches it on its
     *         loop after this returns
     */
    boolean cancel(Waiter waiter) {
        synchronized (lock) {
            Iterator<Waiting> it = waiting.iterator();
            while (it.hasNext()) {
                if (it.next().waiter() == waiter) {
                    it.remove();
                    meter.levels(nanoTime.getAsLong(), inFlight, waiting.size());
                    return true;
                }
            }
            return false;
        }
    }

    /** Counts a request the gateway answered itself because it could not serve it. */
    void rejected() {
        synchronized (lock) {
            meter.rejected(nanoTime.getAsLong());
        }
    }

    /** The route it routes by now. */
    Route route() {
        synchronized (lock) {
            return route;
        }
    }

    /** The app's route changed: new replicas take waiting requests; replicas gone from it are given no more. */
    void routeChanged(Route current) {
        synchronized (lock) {
            update(current);
        }
    }

    /** Requests in flight to {@code address} through this queue now. */
    int inFlight(InetSocketAddress address) {
        synchronized (lock) {
            ReplicaSlot slot = slots.get(address);
            return slot == null ? 0 : slot.inFlight();
        }
    }

    /** The app's figures now. */
    LoadFigures load() {
        synchronized (lock) {
            long now = nanoTime.getAsLong();
            Waiting oldest = waiting.peekFirst();
            for (Waiting entry : waiting) {
                // Retries go to the head without being the oldest.
                if (entry.since() < oldest.since()) {
                    oldest = entry;
                }
            }
            return new LoadFigures(
                    meter.seconds(now),
                    inFlight,
                    waiting.size(),
                    oldest == null ? 0 : (now - oldest.since()) / 1e6,
                    limitPerReplica(),
                    route.learnsConcurrency());
        }
    }

    /** Whether nothing waits and nothing is in flight: the queue may be dropped. */
    boolean idle() {
        synchronized (lock) {
            return waiting.isEmpty() && inFlight == 0;
        }
    }

    // ---- with the lock held ----

    private void update(Route current) {
        route = current;
        Set<InetSocketAddress> inRoute = new HashSet<>();
        for (Backend backend : current.backends()) {
            inRoute.add(backend.address());
            ReplicaSlot slot = slots.get(backend.address());
            if (slot == null) {
                slots.put(backend.address(), new ReplicaSlot(backend, current.concurrency()));
            } else {
                slot.backend(backend);
                slot.routed(true);
                slot.configure(current.concurrency());
            }
        }
        slots.values().removeIf(slot -> {
            if (!inRoute.contains(slot.backend().address())) {
                slot.routed(false);
                return slot.inFlight() == 0;
            }
            return false;
        });
        long now = nanoTime.getAsLong();
        if (current.backends().isEmpty() && !current.waitsForReplicas()) {
            Admission.Refused refusal = stopped();
            List<Waiting> refused = new ArrayList<>(waiting);
            waiting.clear();
            for (Waiting entry : refused) {
                handOff(entry.waiter(), () -> entry.waiter().refused(refusal), null);
            }
            meter.levels(now, inFlight, 0);
            return;
        }
        dispatch(now);
    }

    private void dispatch(long now) {
        Iterator<Waiting> it = waiting.iterator();
        while (it.hasNext()) {
            Waiting entry = it.next();
            ReplicaSlot slot = pick(entry.waiter().excluded());
            if (slot == null) {
                if (pick(Set.of()) == null) {
                    break;
                }
                // Free replicas, but only ones this request tried already: a later one may take them.
                continue;
            }
            it.remove();
            int alongside = take(slot, now);
            Backend backend = slot.backend();
            handOff(entry.waiter(), () -> entry.waiter().admitted(backend, alongside), slot);
        }
        meter.levels(now, inFlight, waiting.size());
    }

    private void handOff(Waiter waiter, Runnable call, ReplicaSlot taken) {
        try {
            waiter.loop().execute(call);
        } catch (RejectedExecutionException e) {
            // The gateway is closing: the request's connection goes with it.
            if (taken != null) {
                taken.ended(-1, 0, 0, false);
                inFlight--;
            }
        }
    }

    /** The free replica, not excluded, with the fewest requests in flight; ties in turn. */
    private ReplicaSlot pick(Set<InetSocketAddress> excluded) {
        List<Backend> backends = route.backends();
        int size = backends.size();
        if (size == 0) {
            return null;
        }
        int start = Math.floorMod(turn++, size);
        ReplicaSlot best = null;
        for (int i = 0; i < size; i++) {
            Backend candidate = backends.get((start + i) % size);
            if (excluded.contains(candidate.address())) {
                continue;
            }
            ReplicaSlot slot = slots.get(candidate.address());
            if (slot != null && slot.free() && (best == null || slot.inFlight() < best.inFlight())) {
                best = slot;
            }
        }
        return best;
    }

    /** @return the requests the replica had before */
    private int take(ReplicaSlot slot, long now) {
        int alongside = slot.taken();
        inFlight++;
        meter.levels(now, inFlight, waiting.size());
        return alongside;
    }

    private Admission.Refused stopped() {
        return new Admission.Refused(
                "has no replica and none is wanted: it is stopped or scaled to 0; 'emp start' or 'emp scale' brings it"
                        + " back",
                "no ready replica",
                0);
    }

    /** Seconds until the line should have moved on by its length, from what completed in the last 5 s; 1 to 60. */
    private int retryAfter() {
        List<LoadSecond> seconds = meter.seconds(nanoTime.getAsLong());
        double rate = seconds.subList(Math.max(0, seconds.size() - 5), seconds.size()).stream()
                        .mapToLong(LoadSecond::completions)
                        .sum()
                / 5.0;
        return rate <= 0 ? 1 : (int) Math.max(1, Math.min(60, Math.ceil(waiting.size() / rate)));
    }

    private int limitPerReplica() {
        if (!route.learnsConcurrency()) {
            return route.concurrency();
        }
        int total = 0;
        int count = 0;
        for (ReplicaSlot slot : slots.values()) {
            if (slot.routed()) {
                total += slot.limit();
                count++;
            }
        }
        return count == 0 ? LearnedLimit.INITIAL : Math.max(1, Math.round((float) total / count));
    }

    /** How a request with a slot ended. */
    enum Outcome {
        /** The replica answered it: a completion. */
        ANSWERED,
        /** The replica could not be reached, failed it or was too slow. */
        FAILED,
        /** Its client left, or it was never sent: it says nothing of the replica. */
        ABANDONED
    }
}
