package emp.tracing.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import emp.spi.AppRef;
import emp.spi.PlatformException;
import emp.spi.tracing.SpanReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves {@code POST /api/v2/spans} on a free port of 127.0.0.1 the way the host does: the raw body and its
 * {@code Content-Type} and {@code Content-Encoding} go to the receiver, from the app its {@code emp_token} names; 202
 * when it takes them, 400 or 403 with its message when it refuses them. Keeps each request's content type and encoding, so a test can see what the client sent.
 */
final class SpansEndpoint implements AutoCloseable {
    record Request(String contentType, String contentEncoding, int status) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final SpanReceiver receiver;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    SpansEndpoint(SpanReceiver receiver) throws IOException {
        this.receiver = receiver;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(HttpTraceSource.PATH, this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + HttpTraceSource.PATH;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The URL a reporter for {@code app} posts to: its credential here is its name, which the endpoint trusts. */
    String url(AppRef app) {
        return url() + "?" + HttpTraceSource.TOKEN_PARAMETER + "=" + app;
    }

    /**
     * The sender the host would find from the credential: here, the {@code emp_token} is the app's name itself (the
     * host checks an HMAC; that is its own test's business).
     */
    private static AppRef sender(HttpExchange exchange) {
        String query = exchange.getRequestURI().getQuery();
        String prefix = HttpTraceSource.TOKEN_PARAMETER + "=";
        if (query == null || !query.startsWith(prefix)) {
            throw PlatformException.invalid(null, "no " + prefix + " in the query");
        }
        return AppRef.parse(query.substring(prefix.length()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream in = exchange.getRequestBody()) {
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            String contentEncoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            byte[] body = in.readAllBytes();
            int status;
            byte[] answer;
            if (!exchange.getRequestMethod().equals("POST")) {
                status = 405;
                answer = new byte[0];
            } else {
                try {
                    receiver.receive(body, contentType, contentEncoding, sender(exchange));
                    status = 202;
                    answer = new byte[0];
                } catch (PlatformException e) {
                    status = switch (e.category()) {
                        case INVALID -> 400;
                        case FORBIDDEN -> 403;
                        default -> 503;
                    };
                    answer = e.getMessage().getBytes(StandardCharsets.UTF_8);
                }
            }
            requests.add(new Request(contentType, contentEncoding, status));
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
