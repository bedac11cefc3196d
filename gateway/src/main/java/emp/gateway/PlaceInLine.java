package emp.gateway;

import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * One routed request's turn for a replica of its app: takes a replica's slot from the app's {@link AppQueue}, or a
 * place in its line with the queue timeout running, or a refusal, and remembers the replicas the request has tried so
 * that a retry is given another. A request that every replica it knows has failed waits {@link #UNREACHABLE_WAIT} at
 * most for a new one, not its whole queue timeout.
 *
 * <p>Runs on its request's event loop, like its {@link Request}; the queue calls it back there. It keeps its deadline
 * and has its request {@link Request#wakeAt wake it} by then (the client connection's one timer), rather than
 * scheduling a timer of its own for every request that waits.
 */
final class PlaceInLine implements AppQueue.Waiter {
    /**
     * How long a request whose every known replica failed it waits in line for a new one (a restart, a scale-up)
     * before it is answered 502: long enough for a replica to start, far shorter than a queue timeout.
     */
    static final Duration UNREACHABLE_WAIT = Duration.ofSeconds(3);

    /** The request whose turn it is. */
    interface Request {
        /** Whether it is answered already (its client went away, say). */
        boolean done();

        /** Its turn came: the slot of {@code backend}, which has {@code alongside} other requests, is its own. */
        void go(Backend backend, int alongside);

        /** It will not be served: the line is full, or the app stopped or went away. */
        void refused(Admission.Refused refusal);

        /** It waited {@code waitedNanos} in line, its queue timeout (or its wait for a new replica), for nothing. */
        void timedOut(long waitedNanos);

        /** Calls {@link PlaceInLine#onDeadline} by {@code deadlineNanos}, or soon after (a {@link System#nanoTime()}). */
        void wakeAt(long deadlineNanos);
    }

    private final AppQueue queue;
    private final EventLoop loop;
    private final Request request;
    /** The replicas tried; most requests try one, so a set is made only for a second. */
    private Set<InetSocketAddress> tried = Set.of();

    private boolean waiting;
    /** Since when it waits in line, and until when it may. */
    private long queuedSinceNanos;

    private long deadlineNanos;

    PlaceInLine(AppQueue queue, EventLoop loop, Request request) {
        this.queue = queue;
        this.loop = loop;
        this.request = request;
    }

    /**
     * Asks for a replica: the request {@link Request#go goes} now, is {@link Request#refused refused} now, or waits in
     * line to be told either later, or that it {@link Request#timedOut timed out}.
     *
     * @param retry whether a replica failed the request already
     */
    void take(boolean retry) {
        Admission admission = queue.admit(this, retry);
        if (admission instanceof Admission.Admitted admitted) {
            request.go(admitted.backend(), admitted.alongside());
        } else if (admission instanceof Admission.Refused refusal) {
            request.refused(refusal);
        } else {
            waiting = true;
            long now = System.nanoTime();
            long timeout = queue.route().queueTimeout().toNanos();
            queuedSinceNanos = now;
            deadlineNanos = now + (retry && !untried() ? Math.min(timeout, UNREACHABLE_WAIT.toNanos()) : timeout);
            request.wakeAt(deadlineNanos);
        }
    }

    /** The request goes to {@code backend}: a retry is given another replica when there is one. */
    void trying(Backend backend) {
        InetSocketAddress address = backend.address();
        if (tried.isEmpty()) {
            tried = Set.of(address);
        } else if (!tried.contains(address)) {
            Set<InetSocketAddress> more = new HashSet<>(tried);
            more.add(address);
            tried = more;
        }
    }

    /** Whether the app's route has a replica the request has not tried. */
    boolean untried() {
        for (Backend candidate : queue.route().backends()) {
            if (!tried.contains(candidate.address())) {
                return true;
            }
        }
        return false;
    }

    /** The request is done with the line: it leaves it if it waits there. */
    void leave() {
        if (waiting) {
            queue.cancel(this);
        }
        waiting = false;
    }

    /**
     * The request's timer fired at {@code now}: when it waits in line past its deadline it leaves and is told it
     * {@link Request#timedOut timed out}; when it waits still, it is woken again by its deadline.
     */
    void onDeadline(long now) {
        if (!waiting || request.done()) {
            return;
        }
        if (now - deadlineNanos < 0) {
            request.wakeAt(deadlineNanos);
            return;
        }
        if (!queue.cancel(this)) {
            // Given a slot meanwhile: it is on its way to this loop.
            return;
        }
        waiting = false;
        request.timedOut(now - queuedSinceNanos);
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public Set<InetSocketAddress> excluded() {
        return tried;
    }

    @Override
    public void admitted(Backend chosen, int others) {
        if (request.done()) {
            // It left the line (its client went away, or it timed out) while the slot was being handed over.
            queue.release(chosen, -1, others, AppQueue.Outcome.ABANDONED);
            return;
        }
        waiting = false;
        request.go(chosen, others);
    }

    @Override
    public void refused(Admission.Refused refusal) {
        if (!request.done()) {
            waiting = false;
            request.refused(refusal);
        }
    }
}
