package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The part of EMP's control API the experiment uses, as a person's scripts or an external scheduler would use it:
 * accounts and sessions, deploying, listing apps, an app's tracing figures, load and events, and
 * {@code PUT /v1/apps/{id}/replicas}. Thread-safe once logged in.
 */
public final class EmpApi {
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private volatile String token;

    /** @param base the API's root, e.g. {@code http://127.0.0.1:7070} */
    public EmpApi(URI base) {
        this.base = requireNonNull(base, "base is null");
    }

    /** The status of {@code GET /healthz}, or -1 when nothing answers. */
    public int health() {
        try {
            return client.send(request("/healthz").GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Creates the account and logs in with it. */
    public void createAccountAndLogin(String username, String password) {
        ObjectNode credentials =
                JSON.createObjectNode().put("username", username).put("password", password);
        call("POST", "/v1/accounts", credentials);
        token = call("POST", "/v1/sessions", credentials).path("token").asText(null);
        if (token == null) {
            throw new IllegalStateException("POST /v1/sessions answered without a 'token'");
        }
    }

    /** {@code POST /v1/apps}: one spec or a list of them. */
    public JsonNode deploy(JsonNode specs) {
        return call("POST", "/v1/apps", specs);
    }

    /** {@code GET /v1/apps}: the account's apps with their replicas, instances and specs. */
    public JsonNode apps() {
        return call("GET", "/v1/apps", null);
    }

    /** {@code GET /v1/apps/{id}}. */
    public JsonNode app(String idOrName) {
        return call("GET", "/v1/apps/" + encode(idOrName), null);
    }

    /** {@code GET /v1/apps/{id}/tracing}: rate, errors, percentiles, self time over the window. */
    public JsonNode tracing(String idOrName) {
        return call("GET", "/v1/apps/" + encode(idOrName) + "/tracing", null);
    }

    /**
     * {@code GET /v1/apps/{id}/load}: the app's arrivals, completions, rejections, mean in flight and queued and
     * service time per past second (oldest first, up to 60), and what is in flight and queued now; empty when it
     * answers 404, as a cluster that cannot measure it does (or a server without the endpoint).
     */
    public Optional<JsonNode> load(String idOrName) {
        HttpResponse<String> response = send("GET", "/v1/apps/" + encode(idOrName) + "/load", null);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(parse("GET", "/v1/apps/" + encode(idOrName) + "/load", response));
    }

    /** {@code GET /v1/apps/{id}/events}, oldest first, at most 1000. */
    public JsonNode events(String idOrName) {
        return call("GET", "/v1/apps/" + encode(idOrName) + "/events?limit=1000", null);
    }

    /** {@code PUT /v1/apps/{id}/replicas}: the external scheduler's way to scale, with the reason in words. */
    public void scale(String idOrName, int replicas, String reason) {
        call(
                "PUT",
                "/v1/apps/" + encode(idOrName) + "/replicas",
                JSON.createObjectNode().put("replicas", replicas).put("reason", reason));
    }

    private JsonNode call(String method, String path, JsonNode body) {
        return parse(method, path, send(method, path, body));
    }

    private HttpResponse<String> send(String method, String path, JsonNode body) {
        HttpRequest.Builder builder = request(path)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        String session = token;
        if (session != null) {
            builder.header("Authorization", "Bearer " + session);
        }
        try {
            return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + base + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " was interrupted", e);
        }
    }

    private static JsonNode parse(String method, String path, HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(
                    method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        try {
            return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " answered something that is not JSON", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json");
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
