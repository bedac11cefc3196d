package emp.gateway;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A replica for tests: a real HTTP server on 127.0.0.1 that answers {@code <id> <method> <path?query>} and remembers
 * what it was sent. {@code /echo} answers the request body; {@code /chunked} answers in chunks; {@code /hold} answers
 * only once {@link #release()} is called; {@code /sleep?ms=N} answers after N milliseconds, counting the most
 * such requests it had at once.
 */
final class TestBackend implements AutoCloseable {
    static {
        // Without it the JDK server leaves Nagle's algorithm on and small answers wait for delayed ACKs.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** One request as the replica saw it. */
    record Seen(String method, String uri, Headers headers, InetSocketAddress remote, int bodyBytes) {}

    private final String id;
    private final HttpServer server;
    private final ExecutorService executor;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger holding = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();

    private TestBackend(String id, HttpServer server, ExecutorService executor) {
        this.id = id;
        this.server = server;
        this.executor = executor;
    }

    static TestBackend start(String id) throws IOException {
        return start(id, Executors.newCachedThreadPool(runnable -> daemon(runnable, id)));
    }

    /** A replica that serves one request at a time, as a single-threaded server does; others wait in its backlog. */
    static TestBackend startSerial(String id) throws IOException {
        return start(id, Executors.newSingleThreadExecutor(runnable -> daemon(runnable, id)));
    }

    private static Thread daemon(Runnable runnable, String id) {
        Thread thread = new Thread(runnable, "backend-" + id);
        thread.setDaemon(true);
        return thread;
    }

    private static TestBackend start(String id, ExecutorService executor) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        TestBackend backend = new TestBackend(id, server, executor);
        server.createContext("/", backend::handle);
        server.setExecutor(executor);
        server.start();
        return backend;
    }

    String id() {
        return id;
    }

    Backend backend() {
        return new Backend(id, server.getAddress());
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** How many requests reached it. */
    int requests() {
        return seen.size();
    }

    /** How many TCP connections its requests came on. */
    int connections() {
        Set<InetSocketAddress> remotes = seen.stream().map(Seen::remote).collect(Collectors.toSet());
        return remotes.size();
    }

    /** The most {@code /sleep} requests it was handling at once. */
    int mostInFlight() {
        return mostInFlight.get();
    }

    /** How many {@code /hold} requests are waiting now. */
    int holding() {
        return holding.get();
    }

    /** Lets every {@code /hold} request, now and later, answer. */
    void release() {
        released.countDown();
    }

    /** Stops listening and drops its connections, as a replica that died would. */
    void stop() {
        release();
        server.stop(0);
    }

    @Override
    public void close() {
        stop();
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String query = exchange.getRequestURI().getRawQuery();
            String uri = exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query);
            seen.add(new Seen(
                    exchange.getRequestMethod(),
                    uri,
                    exchange.getRequestHeaders(),
                    exchange.getRemoteAddress(),
                    body.length));
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/hold")) {
                holding.incrementAndGet();
                try {
                    released.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    holding.decrementAndGet();
                }
            }
            if (path.equals("/sleep")) {
                // Counted until the answer is about to go, so that the next request cannot overlap it in the count.
                mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(Long.parseLong(query.substring(query.indexOf("ms=") + 3)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    inFlight.decrementAndGet();
                }
            }
            if (path.equals("/chunked")) {
                // Length 0 makes the JDK server send chunks.
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    for (int i = 0; i < 3; i++) {
                        out.write(("part" + i + ";").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    }
                }
                return;
            }
            byte[] answer = path.equals("/echo")
                    ? body
                    : (id + " " + exchange.getRequestMethod() + " " + uri).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.getResponseHeaders().set("X-Backend", id);
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }
}
