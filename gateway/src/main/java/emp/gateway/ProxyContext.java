package emp.gateway;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every connection of one running gateway shares: its configuration, routes, request listener, the queue of each
 * app and the connection pools.
 */
final class ProxyContext {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyContext.class);
    private static final int MAX_AUTHORITIES = 4096;

    private final GatewayConfig config;
    private final RouteTable routes;
    private final RequestListener listener;
    private final AtomicBoolean listenerFailed = new AtomicBoolean();
    private final ConcurrentHashMap<String, AppQueue> queues = new ConcurrentHashMap<>();
    private final Bootstrap backendBootstrap;
    private final ConcurrentHashMap<EventLoop, ConnectionPool> pools = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetSocketAddress, String> authorities = new ConcurrentHashMap<>();

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

    /**
     * The queue of {@code user}'s app {@code app}, made with {@code route} when it has none yet. A queue's route changes
     * only through {@link Gateway#routesChanged}, never by a request, whose route may be older by the time it asks.
     */
    AppQueue queue(String user, String app, Route route) {
        AppQueue existing = queues.get(key(user, app));
        if (existing != null) {
            return existing;
        }
        boolean[] made = new boolean[1];
        AppQueue queue = queues.computeIfAbsent(key(user, app), any -> {
            made[0] = true;
            return new AppQueue(route, config.maxQueuedPerApp(), System::nanoTime);
        });
        if (made[0]) {
            // The route may have changed since it was read, before the queue could be told: read it again now that
            // routesChanged finds the queue.
            routes.route(user, app).ifPresent(queue::routeChanged);
        }
        return queue;
    }

    /** The queue of the app if it has one. */
    Optional<AppQueue> existingQueue(String user, String app) {
        return Optional.ofNullable(queues.get(key(user, app)));
    }

    /** Drops the queue of an app the route table no longer knows, once nothing waits in it or is in flight. */
    void forgetQueue(String user, String app) {
        queues.computeIfPresent(key(user, app), (key, queue) -> queue.idle() ? null : queue);
    }

    private static String key(String user, String app) {
        // Neither name can hold a '/': both come from one segment of a path.
        return user + '/' + app;
    }

    /** {@code host:port} of a replica, as its {@code Host} header names it; made once per address. */
    String authority(InetSocketAddress address) {
        String known = authorities.get(address);
        if (known != null) {
            return known;
        }
        if (authorities.size() > MAX_AUTHORITIES) {
            // Replicas come and go over months: forget them all now and then rather than keep every one ever seen.
            authorities.clear();
        }
        return authorities.computeIfAbsent(address, ProxyHeaders::authority);
    }

    /** The pool of replica connections of {@code loop}; use it only on that loop. */
    ConnectionPool pool(EventLoop loop) {
        return pools.computeIfAbsent(loop, any -> new ConnectionPool(loop, backendBootstrap));
    }
}
