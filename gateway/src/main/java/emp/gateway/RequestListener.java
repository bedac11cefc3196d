package emp.gateway;

/**
 * Told of every request the gateway routes to an app it knows, once the request has ended: answered by a replica,
 * answered by the gateway itself (502, 503, 504), or abandoned by its client. Requests for no app (404) or that could
 * not be read (400, 413...) are not routed and not told.
 *
 * <p>Called on the gateway's event loops, concurrently from several of them: an implementation must be thread-safe
 * and must not block or do I/O (hand the request to another thread instead). An exception it throws is logged and
 * does not affect the request.
 */
@FunctionalInterface
public interface RequestListener {
    void routed(RoutedRequest request);
}
