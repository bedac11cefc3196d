package emp.gateway;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every connection of one running gateway shares: its configuration, routes, request listener, balancer and
 * connection pools.
 */
final class ProxyContext {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyContext.class);

    private final GatewayConfig config;
    private final RouteTable routes;
    private final RequestListener listener;
    private final AtomicBoolean listenerFailed = new AtomicBoolean();
    private final LeastOutstandingBalancer balancer = new LeastOutstandingBalancer();
    private final Bootstrap backendBootstrap;
    private final ConcurrentHashMap<EventLoop, ConnectionPool> pools = new ConcurrentHashMap<>();

    /**
     * @param backendBootstrap a bootstrap for replica connections, complete but for its event loop, which each pool
     *                         sets to its own
     * @param listener         told of every routed request, or null when nobody is: then the gateway records no spans
     *                         and passes trace headers on untouched
     */
    ProxyContext(GatewayConfig config, RouteTable routes, Bootstrap backendBootstrap, RequestListener listener) {
        this.config = requireNonNull(config, "config is null");
        this.routes = requireNonNull(routes, "routes is null");
        this.listener = listener;
        this.backendBootstrap = requireNonNull(backendBootstrap, "backendBootstrap is null");
    }

    GatewayConfig config() {
        return config;
    }

    RouteTable routes() {
        return routes;
    }

    /** Whether the gateway records a span per routed request, and so joins and passes on traces. */
    boolean tracing() {
        return listener != null;
    }

    /** Tells the listener, on the calling event loop; what it throws is logged, at warn level the first time only. */
    void routed(RoutedRequest request) {
        try {
            listener.routed(request);
        } catch (RuntimeException e) {
            if (listenerFailed.compareAndSet(false, true)) {
                LOG.warn(
                        "the gateway's request listener failed for app '{}/{}'; the request is unaffected"
                                + " (later failures are logged at debug level)",
                        request.user(),
                        request.app(),
                        e);
            } else {
                LOG.debug("the gateway's request listener failed for app '{}/{}'", request.user(), request.app(), e);
            }
        }
    }

    LeastOutstandingBalancer balancer() {
        return balancer;
    }

    /** The pool of replica connections of {@code loop}; use it only on that loop. */
    ConnectionPool pool(EventLoop loop) {
        return pools.computeIfAbsent(loop, any -> new ConnectionPool(loop, backendBootstrap));
    }
}
