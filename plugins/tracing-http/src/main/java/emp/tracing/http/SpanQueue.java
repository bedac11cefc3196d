package emp.tracing.http;

import emp.spi.tracing.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The spans waiting for the host, bounded by a number of spans. A writer first {@linkplain #reserve(int) reserves}
 * room, which never blocks, then {@linkplain #add(List) adds} at most what it reserved; the reader
 * {@linkplain #take() takes} everything waiting and {@linkplain #release(int) releases} the room once the host has
 * it. Spans count against the bound until released, so a host that is slow to take a batch holds the bound too.
 * Thread-safe.
 */
final class SpanQueue {
    private final int capacity;
    private final AtomicInteger held = new AtomicInteger();
    private final LinkedBlockingQueue<List<Span>> batches = new LinkedBlockingQueue<>();

    SpanQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity is below 1: " + capacity);
        }
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /** The spans queued or being delivered. */
    int held() {
        return held.get();
    }

    /**
     * Reserves room for up to {@code wanted} spans without blocking.
     *
     * @return how many spans may be added, from 0 to {@code wanted}
     */
    int reserve(int wanted) {
        while (true) {
            int current = held.get();
            int granted = Math.min(wanted, capacity - current);
            if (granted <= 0) {
                return 0;
            }
            if (held.compareAndSet(current, current + granted)) {
                return granted;
            }
        }
    }

    /** Adds spans for which room was reserved; an empty list is ignored. */
    void add(List<Span> spans) {
        if (!spans.isEmpty()) {
            batches.add(spans);
        }
    }

    /** Waits for spans, then takes every span waiting, in arrival order. */
    List<Span> take() throws InterruptedException {
        List<Span> first = batches.take();
        List<List<Span>> more = new ArrayList<>();
        batches.drainTo(more);
        if (more.isEmpty()) {
            return first;
        }
        List<Span> all = new ArrayList<>(first);
        more.forEach(all::addAll);
        return all;
    }

    /** Gives back room for {@code count} spans: those taken and delivered, or reserved and not added. */
    void release(int count) {
        held.addAndGet(-count);
    }
}
