package emp.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.AfterEach;

/** Starts real replicas and gateways on 127.0.0.1 for a test, and closes them after it. */
abstract class GatewayTestSupport {
    /** Only a guard against a hung test; no assertion depends on it. */
    static final Duration HANG_GUARD = Duration.ofSeconds(30);

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(HANG_GUARD)
            .build();
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    @AfterEach
    void closeAll() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    TestBackend backend(String id) throws IOException {
        return closeLater(TestBackend.start(id));
    }

    ResettingBackend resettingBackend() throws IOException {
        return closeLater(ResettingBackend.start());
    }

    Gateway gateway(RouteTable routes) {
        return gateway(GatewayConfig.defaults("127.0.0.1", 0), routes);
    }

    Gateway gateway(GatewayConfig config, RouteTable routes) {
        Gateway gateway = closeLater(new Gateway(config, routes));
        gateway.start();
        return gateway;
    }

    /** A started gateway that tells {@code listener} of each routed request. */
    Gateway gateway(RouteTable routes, RequestListener listener) {
        Gateway gateway = closeLater(new Gateway(GatewayConfig.defaults("127.0.0.1", 0), routes, listener));
        gateway.start();
        return gateway;
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.push(closeable);
        return closeable;
    }

    HttpResponse<String> get(Gateway gateway, String pathAndQuery) throws IOException, InterruptedException {
        return send(gateway, "GET", pathAndQuery, HttpRequest.BodyPublishers.noBody());
    }

    HttpResponse<String> send(Gateway gateway, String method, String pathAndQuery, HttpRequest.BodyPublisher body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway.baseUri() + pathAndQuery))
                .timeout(HANG_GUARD)
                .method(method, body)
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
