package emp.gateway;

import static java.util.Objects.requireNonNull;

import emp.spi.cluster.LoadFigures;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reverse proxy end users call: {@code http://HOST:PORT/{user}/{app}/{rest}} goes to {@code /{rest}} (query kept)
 * on one of the app's ready replicas; {@code /{user}/{app}} alone goes to {@code /}.
 *
 * <p>Non-blocking (Netty, one event loop per core, no thread per request; Linux's epoll where Netty's native library
 * loads, NIO elsewhere: see {@link GatewayTransport}). The gateway is the platform's queue: each
 * app's replicas are given at most their concurrency limit of requests at once (the route's, or learned from their
 * latency), and requests beyond wait in the app's FIFO line, bounded in length and time, for the first free slot
 * (see {@link AppQueue}). A request goes to the free replica with the fewest requests in flight, ties taken in turn;
 * the queue measures each app's load every second ({@link #load}). Replica connections are kept alive and
 * pooled per event loop, as are client connections (HTTP/1.1 keep-alive). Request bodies are read whole, up to
 * {@link GatewayConfig#maxBodyBytes()}, so that a request can be retried; answers are streamed, the replica being
 * read no faster than the client takes them. See {@link ProxyExchange} for when a request is retried and
 * {@link ProxyHeaders} for the headers it rewrites ({@code Host} becomes the replica's address;
 * {@code X-Forwarded-For/-Proto/-Host/-Prefix} are set). Given a {@link RequestListener}, it records a span of its own
 * per routed request and passes it on to the replica as the parent (see {@link TraceHeaders}).
 *
 * <p>What a client gets from the gateway itself, each with one line of plain text: 404 for a path without
 * {@code /{user}/{app}} or for an app the route table does not know, 503 with {@code Retry-After} when the request
 * could not be given a replica in time or the line is full, 503 when the app is stopped, 502 when
 * no replica could be reached or one failed before answering, 504 when a replica took longer than
 * {@link GatewayConfig#responseTimeout()}, 413 for a body over the limit.
 *
 * <p>Thread-safe. {@link #start()} once; {@link #close()} any number of times.
 */
public final class Gateway implements AutoCloseable {
    /** A client connection with no request for this long is closed. */
    static final int CLIENT_IDLE_SECONDS = 120;

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final RouteTable routes;
    private final RequestListener listener;
    private final Object lock = new Object();
    private EventLoopGroup loops;
    private ProxyContext context;
    private Channel server;
    private int port;
    private boolean started;
    private boolean closed;

    /**
     * A gateway that records no spans: trace headers pass through it untouched. Does no I/O; {@link #start()} binds.
     */
    public Gateway(GatewayConfig config, RouteTable routes) {
        this.config = requireNonNull(config, "config is null");
        this.routes = requireNonNull(routes, "routes is null");
        this.listener = null;
    }

    /**
     * A gateway that records a span of its own for every routed request and tells {@code listener} of it. It joins
     * the trace the request's B3 or {@code traceparent} headers name, or starts one, and the replica is sent headers
     * naming the gateway's span as its parent (see {@link TraceHeaders}). Does no I/O; {@link #start()} binds.
     *
     * @param listener told of each routed request on the gateway's event loops; see {@link RequestListener}
     */
    public Gateway(GatewayConfig config, RouteTable routes, RequestListener listener) {
        this.config = requireNonNull(config, "config is null");
        this.routes = requireNonNull(routes, "routes is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /**
     * Binds the port and starts serving.
     *
     * @throws IllegalStateException when the address cannot be bound (the message names {@code host:port} and why,
     *                               e.g. the port is taken), or when called twice or after {@link #close()}
     */
    public void start() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("gateway for " + config.host() + ":" + config.port()
                        + " is closed; create a new one to serve again");
            }
            if (started) {
                throw new IllegalStateException("gateway already serves " + baseUriLocked() + "; start it once");
            }
            GatewayTransport transport = GatewayTransport.detect();
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                    Runtime.getRuntime().availableProcessors(),
                    new DefaultThreadFactory("emp-gateway", true),
                    transport.ioHandlerFactory());
            ProxyContext shared = new ProxyContext(config, routes, backendBootstrap(transport), listener);
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline()
                                    .addLast(
                                            new HttpServerCodec(),
                                            new BodyLimitAggregator(config.maxBodyBytes()),
                                            new ClientHandler(shared));
                        }
                    });
            ChannelFuture bound = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                Throwable cause = bound.cause();
                throw new IllegalStateException(
                        "gateway could not listen on " + config.host() + ":" + config.port() + " (" + cause.getMessage()
                                + "); stop what uses that port or configure another gateway port",
                        cause);
            }
            loops = group;
            context = shared;
            server = bound.channel();
            port = ((InetSocketAddress) server.localAddress()).getPort();
            started = true;
            if (transport.name().equals("epoll")) {
                LOG.info("gateway listening on {} (epoll transport)", baseUriLocked());
            } else {
                LOG.info(
                        "gateway listening on {} (NIO transport; epoll is unavailable: {})",
                        baseUriLocked(),
                        GatewayTransport.epollUnavailableReason());
            }
        }
    }

    /**
     * The port it listens on (the real one when the config asked for 0).
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public int port() {
        synchronized (lock) {
            requireStarted();
            return port;
        }
    }

    /**
     * {@code http://host:port}, where a wildcard listen address ({@code 0.0.0.0}, {@code ::}) is given as
     * {@code 127.0.0.1}, an address that reaches it from this machine.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public URI baseUri() {
        synchronized (lock) {
            requireStarted();
            return baseUriLocked();
        }
    }

    /**
     * Tells the gateway that the route of {@code user}'s app {@code app} changed: requests waiting for a replica go to
     * one that became ready at once, a replica that left the route is given no new request, and when the app has no
     * replica and is not starting one (stopped, removed) its waiting requests are answered 503. Reads the route
     * table; call it on any thread after the table has changed. Does nothing before {@link #start()}.
     */
    public void routesChanged(String user, String app) {
        ProxyContext shared = started();
        if (shared == null) {
            return;
        }
        Optional<Route> route = routes.route(user, app);
        Optional<AppQueue> queue = shared.existingQueue(user, app);
        if (queue.isEmpty()) {
            return;
        }
        queue.get()
                .routeChanged(
                        route.orElseGet(() -> new Route(List.of(), Route.LEARNED, Route.DEFAULT_QUEUE_TIMEOUT, false)));
        if (route.isEmpty()) {
            shared.forgetQueue(user, app);
        }
    }

    /**
     * The app's load as this gateway measured it: arrivals, completions and rejections per second, and the requests
     * in flight and waiting now. Empty before {@link #start()} and for an app the route table does not know.
     */
    public Optional<LoadFigures> load(String user, String app) {
        ProxyContext shared = started();
        if (shared == null) {
            return Optional.empty();
        }
        return routes.route(user, app)
                .map(route -> shared.queue(user, app, route).load());
    }

    /**
     * Requests of the app in flight to {@code address} through this gateway now: 0 once a replica out of the route has
     * finished what it had, and may be stopped without failing a request.
     */
    public int inFlight(String user, String app, InetSocketAddress address) {
        ProxyContext shared = started();
        if (shared == null) {
            return 0;
        }
        return shared.existingQueue(user, app)
                .map(queue -> queue.inFlight(address))
                .orElse(0);
    }

    private ProxyContext started() {
        synchronized (lock) {
            return closed ? null : context;
        }
    }

    /** Stops accepting, closes every connection and releases the event loops; returns once they are gone. */
    @Override
    public void close() {
        EventLoopGroup group;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            group = loops;
            loops = null;
            if (server != null) {
                server.close().awaitUninterruptibly();
            }
        }
        if (group != null) {
            Future<?> terminated = group.shutdownGracefully(10, 2000, TimeUnit.MILLISECONDS);
            if (!calledFromLoopOf(group)) {
                terminated.awaitUninterruptibly();
            }
            LOG.info("gateway on {}:{} closed", config.host(), port);
        }
    }

    private Bootstrap backendBootstrap(GatewayTransport transport) {
        int connectMillis =
                (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis());
        return new Bootstrap()
                .channel(transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1, connectMillis))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new BackendHandler());
                    }
                });
    }

    /** An event loop cannot wait for itself to end. */
    private static boolean calledFromLoopOf(EventLoopGroup group) {
        for (EventExecutor loop : group) {
            if (loop.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    private void requireStarted() {
        if (!started) {
            throw new IllegalStateException(
                    "gateway for " + config.host() + ":" + config.port() + " is not started; call start() first");
        }
    }

    private URI baseUriLocked() {
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port);
    }
}
