package emp.gateway;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One routed request's turn for a replica of its app: takes a replica's slot from the app's {@link AppQueue}, or a
 * place in its line with the queue timeout running, or a refusal, and remembers the replicas the request has tried so
 * that a retry is given another. A request that every replica it knows has failed waits {@link #UNREACHABLE_WAIT} at
 * most for a new one, not its whole queue timeout.
 *
 * <p>Runs on its request's event loop, like its {@link Request}; the queue calls it back there.
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
    }

    private final AppQueue queue;
    private final EventLoop loop;
    private final Request request;
    private final Set<InetSocketAddress> tried = new HashSet<>(4);

    private boolean waiting;
    private Future<?> timer;
    private long queuedSinceNanos;

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
            if (timer == null) {
                queuedSinceNanos = now;
                timer = loop.schedule(this::onTimeout, timeout, TimeUnit.NANOSECONDS);
            }
            if (retry && !untried()) {
                long left = Math.min(timeout - (now - queuedSinceNanos), UNREACHABLE_WAIT.toNanos());
                timer.cancel(false);
                timer = loop.schedule(this::onTimeout, Math.max(0, left), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** The request goes to {@code backend}: a retry is given another replica when there is one. */
    void trying(Backend backend) {
        tried.add(backend.address());
    }

    /** Whether the app's route has a replica the request has not tried. */
    boolean untried() {
        return queue.route().backends().stream().anyMatch(candidate -> !tried.contains(candidate.address()));
    }

    /** The request is done with the line: it leaves it if it waits there, and its timer stops. */
    void leave() {
        if (waiting) {
            queue.cancel(this);
        }
        stopWaiting();
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
        stopWaiting();
        request.go(chosen, others);
    }

    @Override
    public void refused(Admission.Refused refusal) {
        if (!request.done()) {
            stopWaiting();
            request.refused(refusal);
        }
    }

    private void onTimeout() {
        timer = null;
        if (request.done() || !waiting || !queue.cancel(this)) {
            // Given a slot meanwhile: it is on its way to this loop.
            return;
        }
        waiting = false;
        request.timedOut(System.nanoTime() - queuedSinceNanos);
    }

    private void stopWaiting() {
        waiting = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
