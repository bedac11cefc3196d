package emp.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Requests to a server the tests started: the HTTP client, a bearer token when there is one, status checks. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Http() {}

    /** Sends the request; {@code token} and {@code body} may be null. */
    static HttpResponse<String> send(String method, String url, String token, String body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static HttpResponse<String> get(String url) throws IOException {
        return send("GET", url, null, null);
    }

    /** The response's body, once its status is {@code status}. */
    static String expect(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(describe(response)).isEqualTo(status);
        return response.body();
    }

    /** The response's body, once its status is a success (under 300). */
    static String expectSuccess(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(describe(response)).isLessThan(300);
        return response.body();
    }

    /** The status of a GET, or -1 when nothing answers. */
    static int status(String url) {
        try {
            return CLIENT.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(TIMEOUT)
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String describe(HttpResponse<String> response) {
        return response.request().method() + " " + response.request().uri() + ": " + response.body();
    }
}
