package emp.tracing.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for a Zipkin server's collector on a free port of 127.0.0.1: it keeps every {@code POST /api/v2/spans}
 * exactly as it arrived and answers 202, or, while {@linkplain #hold() held}, does not answer until released.
 */
final class RecordingZipkin implements AutoCloseable {
    record Post(byte[] body, String contentType, String contentEncoding) {}

    private final HttpServer server;
    private final List<Post> posts = new ArrayList<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    RecordingZipkin() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(HttpTraceSource.PATH, this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + HttpTraceSource.PATH);
    }

    /** Makes every later post wait until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    synchronized List<Post> posts() {
        return List.copyOf(posts);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            synchronized (this) {
                posts.add(new Post(
                        body,
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestHeaders().getFirst("Content-Encoding")));
            }
            gate.await(30, TimeUnit.SECONDS);
            exchange.sendResponseHeaders(202, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
