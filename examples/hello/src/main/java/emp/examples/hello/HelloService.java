package emp.examples.hello;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The smallest service EMP can run: an HTTP server on {@code 127.0.0.1:$PORT} that says who answered.
 *
 * <p>{@code GET /health} answers {@code 200 ok}; every other path answers JSON naming the app
 * ({@code EMP_SERVICE_NAME}), the answering process, its port, the request path and a greeting ({@code GREETING}, or
 * {@code hello}), so a test or a person can see which replica a request reached and what environment it was given.
 * {@code GET /sleep?ms=N} answers the same after N milliseconds (at most a minute): a slow request, on demand.
 */
public final class HelloService implements AutoCloseable {
    private static final int DEFAULT_PORT = 8000;

    private final String app;
    private final String greeting;
    private final HttpServer server;
    private final ExecutorService executor;

    private HelloService(String app, String greeting, HttpServer server, ExecutorService executor) {
        this.app = app;
        this.greeting = greeting;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code host:port} and starts answering.
     *
     * @param app      what to answer as {@code app}
     * @param greeting what to answer as {@code message}
     * @param port     the port to listen on; 0 picks a free one
     */
    public static HelloService start(String host, int port, String app, String greeting) throws IOException {
        requireNonNull(host, "host is null");
        requireNonNull(app, "app is null");
        requireNonNull(greeting, "greeting is null");
        // Without it the JDK server leaves Nagle's algorithm on, and every small answer waits for a delayed ACK (~40
        // ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
        ExecutorService executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "hello-http");
            thread.setDaemon(true);
            return thread;
        });
        HelloService service = new HelloService(app, greeting, server, executor);
        server.createContext("/", service::handle);
        server.setExecutor(executor);
        server.start();
        return service;
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            // Read what the client sent, so the connection can carry the next request.
            try (InputStream body = exchange.getRequestBody()) {
                body.transferTo(OutputStream.nullOutputStream());
            }
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/sleep")) {
                sleep(exchange.getRequestURI().getRawQuery());
            }
            byte[] answer;
            String contentType;
            if (path.equals("/health")) {
                answer = "ok".getBytes(StandardCharsets.UTF_8);
                contentType = "text/plain; charset=utf-8";
            } else {
                answer = ("{\"app\":" + quote(app)
                                + ",\"instance\":"
                                + quote(instance())
                                + ",\"port\":" + port()
                                + ",\"path\":" + quote(path)
                                + ",\"message\":" + quote(greeting) + "}\n")
                        .getBytes(StandardCharsets.UTF_8);
                contentType = "application/json";
            }
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
            } else {
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            }
        }
    }

    private static final Pattern SLEEP_MS = Pattern.compile("(?:^|&)ms=(\\d{1,5})(?:&|$)");

    /** Sleeps for the {@code ms} the query names; a query without a number in it sleeps not at all. */
    private static void sleep(String query) {
        Matcher ms = query == null ? null : SLEEP_MS.matcher(query);
        if (ms == null || !ms.find()) {
            return;
        }
        try {
            Thread.sleep(Math.min(60_000, Long.parseLong(ms.group(1))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Which replica answers: the platform's {@code EMP_INSTANCE}, or the process id where that is not set. */
    private static String instance() {
        String instance = System.getenv("EMP_INSTANCE");
        return instance == null || instance.isBlank()
                ? Long.toString(ProcessHandle.current().pid())
                : instance;
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Starts the service from its environment: {@code PORT}, {@code EMP_SERVICE_NAME}, {@code GREETING}. */
    public static void main(String[] args) throws IOException {
        int port = DEFAULT_PORT;
        String portText = System.getenv("PORT");
        if (portText != null && !portText.isBlank()) {
            try {
                port = Integer.parseInt(portText.trim());
            } catch (NumberFormatException e) {
                System.err.println("hello: PORT is '" + portText + "'; expected a port number such as 8000");
                System.exit(2);
            }
        }
        String app = envOr("EMP_SERVICE_NAME", "hello");
        String greeting = envOr("GREETING", "hello");
        HelloService service = start("127.0.0.1", port, app, greeting);
        // The platform stops a replica with SIGTERM; the hook closes the socket before the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "hello-shutdown"));
        System.out.println("hello: app '" + app + "' pid "
                + ProcessHandle.current().pid() + " listening on http://127.0.0.1:" + service.port());
    }

    private static String envOr(String name, String defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? defaultValue : value;
    }
}
