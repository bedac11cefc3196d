package emp.examples.songs;

import static java.util.Objects.requireNonNull;

import brave.Span;
import brave.Tracer.SpanInScope;
import brave.Tracing;
import brave.handler.SpanHandler;
import brave.http.HttpServerHandler;
import brave.http.HttpServerRequest;
import brave.http.HttpServerResponse;
import brave.http.HttpTracing;
import brave.propagation.ThreadLocalCurrentTraceContext;
import brave.sampler.Sampler;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service of the songs system, running: an HTTP server on {@code host:port} whose every request (but
 * {@code GET /health}) is a Brave server span, and whose calls to other services are client spans beneath it.
 *
 * <p>Spans go to the {@link SpanHandler} given at start: the Zipkin reporter when run from {@link SongsMain}, a
 * list in tests. The caller owns that handler and closes it after this service.
 */
public final class SongsService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SongsService.class);
    private static final int SERVER_THREADS = 64;
    private static final int BACKLOG = 256;

    private final ServiceConfig config;
    private final HttpServer server;
    private final ExecutorService serverThreads;
    private final ExecutorService clientThreads;
    private final Tracing tracing;
    private final HttpServerHandler<HttpServerRequest, HttpServerResponse> serverHandler;
    private final Api api;
    private final Workload workload;
    private final AtomicInteger inProgress = new AtomicInteger();

    private SongsService(
            ServiceConfig config,
            HttpServer server,
            ExecutorService serverThreads,
            ExecutorService clientThreads,
            Tracing tracing) {
        this.config = config;
        this.server = server;
        this.serverThreads = serverThreads;
        this.clientThreads = clientThreads;
        this.tracing = tracing;
        HttpTracing httpTracing = HttpTracing.create(tracing);
        this.serverHandler = HttpServerHandler.create(httpTracing);
        Downstream downstream = new Downstream(config.dependencies(), config.serviceName(), httpTracing, clientThreads);
        this.api = switch (config.kind()) {
            case USERS -> new UsersApi();
            case SONGS -> new SongsApi();
            case AUTH -> new AuthApi();
            case PLAYLISTS -> new PlaylistsApi(downstream);
            case AGGREGATOR -> new AggregatorApi(downstream);
        };
        this.workload = new Workload(config.knobs());
    }

    /**
     * Binds {@code config.host():config.port()} and starts answering.
     *
     * @param spans where finished spans go; {@link SpanHandler#NOOP} for nowhere
     * @throws IOException when the address cannot be bound
     */
    public static SongsService start(ServiceConfig config, SpanHandler spans) throws IOException {
        requireNonNull(config, "config is null");
        requireNonNull(spans, "spans is null");
        // Without it the JDK server leaves Nagle's algorithm on, and every small answer waits for a delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Tracing tracing = Tracing.newBuilder()
                .localServiceName(config.serviceName())
                .sampler(Sampler.ALWAYS_SAMPLE)
                .propagationFactory(B3AndW3cPropagation.FACTORY)
                .traceId128Bit(true)
                .supportsJoin(false)
                // Its own thread-local, so services sharing a JVM (in tests) never see each other's spans in scope.
                .currentTraceContext(ThreadLocalCurrentTraceContext.newBuilder().build())
                .addSpanHandler(spans)
                .build();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), BACKLOG);
        } catch (IOException e) {
            tracing.close();
            throw new IOException(
                    "service '" + config.kind().id() + "' cannot listen on " + config.host() + ":" + config.port()
                            + " (" + e.getMessage() + "); choose another PORT",
                    e);
        }
        String prefix = "songs-" + config.kind().id();
        ExecutorService serverThreads = Executors.newFixedThreadPool(SERVER_THREADS, daemon(prefix + "-http"));
        ExecutorService clientThreads = Executors.newCachedThreadPool(daemon(prefix + "-client"));
        SongsService service = new SongsService(config, server, serverThreads, clientThreads, tracing);
        server.createContext("/", service::handle);
        server.setExecutor(serverThreads);
        server.start();
        return service;
    }

    /** What it was started with. */
    public ServiceConfig config() {
        return config;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Its base URL, without a trailing slash: what its callers' {@code <NAME>_URL} holds. */
    public URI url() {
        return URI.create("http://" + config.host() + ":" + port());
    }

    /** True when no request is being answered: every span it started has ended. */
    boolean idle() {
        return inProgress.get() == 0;
    }

    /**
     * Stops answering (requests in progress get a second to finish), then ends its tracing. The span handler is
     * the caller's to flush and close.
     */
    @Override
    public void close() {
        // The JDK's server waits out the whole delay even when idle, so there is none when nothing is in progress.
        server.stop(inProgress.get() == 0 ? 0 : 1);
        serverThreads.shutdown();
        try {
            serverThreads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clientThreads.shutdownNow();
        tracing.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        inProgress.incrementAndGet();
        try (exchange) {
            // Read what the client sent, so the connection can carry the next request.
            try (InputStream body = exchange.getRequestBody()) {
                body.transferTo(OutputStream.nullOutputStream());
            }
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/health")) {
                send(exchange, 200, "text/plain; charset=utf-8", "ok".getBytes(StandardCharsets.UTF_8));
                return;
            }
            ExchangeRequest request = new ExchangeRequest(exchange);
            Span span = serverHandler.handleReceive(request);
            Call call = Call.of(path, exchange.getRequestURI().getRawQuery(), span.context());
            Reply reply;
            Throwable error = null;
            try (SpanInScope scope = tracing.tracer().withSpanInScope(span)) {
                reply = answer(exchange.getRequestMethod(), call, span);
            } catch (DependencyException e) {
                reply = Reply.error(502, e.getMessage());
                error = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply = Reply.error(503, "service '" + config.kind().id() + "' is stopping; retry on another replica");
                error = e;
            } catch (RuntimeException e) {
                LOG.error("service '{}' failed on {} {}", config.kind().id(), exchange.getRequestMethod(), path, e);
                reply = Reply.error(500, "service '" + config.kind().id() + "' failed: " + e);
                error = e;
            }
            try {
                send(exchange, reply.status(), "application/json", Json.MAPPER.writeValueAsBytes(reply.body()));
            } catch (IOException e) {
                error = error == null ? e : error;
                throw e;
            } finally {
                serverHandler.handleSend(new ExchangeResponse(request, reply.status(), call.route(), error), span);
            }
        } finally {
            inProgress.decrementAndGet();
        }
    }

    private Reply answer(String method, Call call, Span span) throws InterruptedException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Reply.error(405, "service '" + config.kind().id() + "' answers GET only; got " + method);
        }
        return workload.serve(span, api, call);
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
