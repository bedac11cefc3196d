package emp.examples.songs;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/** A plain client for tests: GET with optional headers, as a person's curl would. */
final class Http {
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Http() {}

    /** GET {@code url}; {@code headers} alternate names and values. */
    static HttpResponse<String> get(String url, String... headers) throws IOException, InterruptedException {
        return CLIENT.send(request(url, headers), HttpResponse.BodyHandlers.ofString());
    }

    static CompletableFuture<HttpResponse<String>> getAsync(String url, String... headers) {
        return CLIENT.sendAsync(request(url, headers), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String url, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder.build();
    }
}
