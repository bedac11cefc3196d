package emp.gateway;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;

/**
 * What the gateway does with a request after the replica it was sent to failed it: a pure function of what is known
 * then. A request whose connection could not be made was never sent, so it goes back to the head of its app's line,
 * whatever its method. One that may have been acted on (the connection closed before any byte of the answer) is tried
 * again only if its method is idempotent, once: on a replica it has not tried, or, when none is ready and the
 * connection came from the pool, on the same replica over a new connection, since a replica closing an idle connection
 * as it was reused is the likely cause. Otherwise the client is answered 502.
 */
final class RetryPolicy {
    /** The first try and one retry, for a request a replica may have acted on. */
    static final int MAX_ATTEMPTS = 2;

    private static final Set<HttpMethod> IDEMPOTENT = Set.of(
            HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

    enum Next {
        /** Back to the head of the line, for a replica not tried yet (or one that becomes ready). */
        BACK_TO_LINE,
        /** Another replica, not tried yet and ready now. */
        ANOTHER_REPLICA,
        /** The same replica, over a new connection. */
        SAME_REPLICA_NEW_CONNECTION,
        /** No more tries: answer 502. */
        GIVE_UP
    }

    private RetryPolicy() {}

    /**
     * @param maybeSent   whether the replica may have acted on the request
     * @param attempts    the tries made so far, the failed one included
     * @param untriedLeft whether a replica not tried yet is ready
     * @param reused      whether the failed connection came from the pool
     */
    static Next next(boolean maybeSent, HttpMethod method, int attempts, boolean untriedLeft, boolean reused) {
        if (!maybeSent) {
            return Next.BACK_TO_LINE;
        }
        if (IDEMPOTENT.contains(method) && attempts < MAX_ATTEMPTS) {
            if (untriedLeft) {
                return Next.ANOTHER_REPLICA;
            }
            if (reused) {
                return Next.SAME_REPLICA_NEW_CONNECTION;
            }
        }
        return Next.GIVE_UP;
    }

    /** Why {@link Next#GIVE_UP}, for the 502's message. */
    static String whyNoMoreTries(HttpMethod method, int attempts) {
        if (!IDEMPOTENT.contains(method)) {
            return method + " is not retried, since the replica may have acted on it";
        }
        return attempts < MAX_ATTEMPTS
                ? "no other replica was ready to try"
                : "it may be restarting; try again shortly";
    }
}
