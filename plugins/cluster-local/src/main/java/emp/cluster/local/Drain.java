package emp.cluster.local;

import emp.gateway.Gateway;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Lets a replica that left the gateway's route finish the requests it has before it is signalled to stop, so that a
 * scale-down or a replacement fails no request: polls the gateway's count of the replica's requests in flight until
 * it is 0, or {@link #LIMIT} has passed.
 */
final class Drain {
    /** The longest a replica is given to finish its requests. */
    static final Duration LIMIT = Duration.ofSeconds(30);

    static final Duration POLL = Duration.ofMillis(20);

    private final Gateway gateway;
    private final ScheduledExecutorService timer;

    Drain(Gateway gateway, ScheduledExecutorService timer) {
        this.gateway = gateway;
        this.timer = timer;
    }

    /** The gateway's requests in flight to the replica now. */
    int inFlight(Replica replica) {
        return gateway.inFlight(replica.app.owner(), replica.app.name(), replica.backend.address());
    }

    /**
     * Runs {@code then} on the timer's thread once the replica has no request in flight, or after {@link #LIMIT}.
     *
     * @return what to cancel to stop waiting
     */
    Future<?> whenDrained(Replica replica, Runnable then) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        Poll poll = new Poll(replica, then, deadline);
        poll.next = timer.schedule(poll, POLL.toMillis(), TimeUnit.MILLISECONDS);
        return poll;
    }

    /** One replica's wait; cancelling it cancels its next poll. */
    private final class Poll extends CompletableFuture<Void> implements Runnable {
        private final Replica replica;
        private final Runnable then;
        private final long deadline;
        private volatile Future<?> next;

        Poll(Replica replica, Runnable then, long deadline) {
            this.replica = replica;
            this.then = then;
            this.deadline = deadline;
        }

        @Override
        public void run() {
            if (isDone()) {
                return;
            }
            if (inFlight(replica) == 0 || System.nanoTime() - deadline >= 0) {
                complete(null);
                then.run();
                return;
            }
            next = timer.schedule(this, POLL.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public boolean cancel(boolean mayInterrupt) {
            Future<?> pending = next;
            if (pending != null) {
                pending.cancel(false);
            }
            return super.cancel(mayInterrupt);
        }
    }
}
