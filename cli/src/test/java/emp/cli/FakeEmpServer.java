package emp.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for the EMP server's REST API on a free port of 127.0.0.1: it answers the routes a test sets with
 * canned JSON (or a function of the request) and records every request it got. Unknown routes answer 404 with a
 * problem body, as the real server does.
 */
final class FakeEmpServer implements AutoCloseable {
    /** A request as the server got it. */
    record Request(String method, String path, String query, String authorization, String contentType, String body) {}

    /** An answer; a null body sends none. */
    record Response(int status, String contentType, String body) {}

    /** Computes the answer to a request. */
    interface Handler {
        Response handle(Request request);
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Map<String, Handler> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeEmpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
        server.start();
    }

    static Response json(int status, String body) {
        return new Response(status, "application/json", body);
    }

    static Response problem(int status, String title, String detail) {
        String body = Json.compact(Json.MAPPER
                .createObjectNode()
                .put("type", "about:blank")
                .put("title", title)
                .put("status", status)
                .put("detail", detail));
        return new Response(status, "application/problem+json", body);
    }

    static Response noContent() {
        return new Response(204, null, null);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    FakeEmpServer on(String method, String path, Handler handler) {
        routes.put(method + " " + path, handler);
        return this;
    }

    FakeEmpServer on(String method, String path, int status, String body) {
        return on(method, path, request -> json(status, body));
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requests(String method, String path) {
        return requests.stream()
                .filter(r -> r.method().equals(method) && r.path().equals(path))
                .toList();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    body);
            requests.add(request);
            Handler handler = routes.get(request.method() + " " + request.path());
            Response response = handler == null
                    ? problem(
                            404,
                            "Not Found",
                            "no route " + request.method() + " " + request.path() + " in the fake server")
                    : handler.handle(request);
            if (response.contentType() != null) {
                exchange.getResponseHeaders().set("Content-Type", response.contentType());
            }
            if (response.body() == null) {
                exchange.sendResponseHeaders(response.status(), -1);
                return;
            }
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(response.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
