package emp.gateway;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;

/** What every connection of one running gateway shares: its configuration, routes, balancer and connection pools. */
final class ProxyContext {
    private final GatewayConfig config;
    private final RouteTable routes;
    private final LeastOutstandingBalancer balancer = new LeastOutstandingBalancer();
    private final Bootstrap backendBootstrap;
    private final ConcurrentHashMap<EventLoop, ConnectionPool> pools = new ConcurrentHashMap<>();

    /**
     * @param backendBootstrap a bootstrap for replica connections, complete but for its event loop, which each pool
     *                         sets to its own
     */
    ProxyContext(GatewayConfig config, RouteTable routes, Bootstrap backendBootstrap) {
        this.config = requireNonNull(config, "config is null");
        this.routes = requireNonNull(routes, "routes is null");
        this.backendBootstrap = requireNonNull(backendBootstrap, "backendBootstrap is null");
    }

    GatewayConfig config() {
        return config;
    }

    RouteTable routes() {
        return routes;
    }

    LeastOutstandingBalancer balancer() {
        return balancer;
    }

    /** The pool of replica connections of {@code loop}; use it only on that loop. */
    ConnectionPool pool(EventLoop loop) {
        return pools.computeIfAbsent(loop, any -> new ConnectionPool(loop, backendBootstrap));
    }
}
