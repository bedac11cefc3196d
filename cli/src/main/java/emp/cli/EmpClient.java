package emp.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The EMP server's REST API as the CLI uses it: JSON in and out, the session's bearer token on every request, and
 * every failure turned into a {@link CliException} a person can act on: the server's problem detail for an error
 * answer, "not reachable" with a way out when nothing answers.
 */
final class EmpClient {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final String server;
    private final String token;

    /**
     * @param server the base URL without a trailing slash
     * @param token  the bearer token, or null to send none
     */
    EmpClient(HttpClient http, String server, String token) {
        this.http = requireNonNull(http, "http is null");
        this.server = requireNonNull(server, "server is null");
        this.token = token;
    }

    String server() {
        return server;
    }

    /** The text of a path segment, escaped: app ids and names go into paths as one segment. */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    JsonNode get(String path) {
        return send("GET", path, null);
    }

    JsonNode post(String path, String jsonBody) {
        return send("POST", path, jsonBody);
    }

    JsonNode put(String path, String jsonBody) {
        return send("PUT", path, jsonBody);
    }

    JsonNode patch(String path, String jsonBody) {
        return send("PATCH", path, jsonBody);
    }

    JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    /**
     * Sends one request and returns the answer's JSON, or null for an answer without a body (204).
     *
     * @param jsonBody the request body, sent as it is; null for none
     * @throws ApiException when the server answers with an error status
     * @throws CliException with exit code 2 when the server cannot be reached
     */
    JsonNode send(String method, String path, String jsonBody) {
        return jsonBody == null
                ? send(method, path, null, HttpRequest.BodyPublishers.noBody())
                : send(
                        method,
                        path,
                        "application/json",
                        HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
    }

    /**
     * POSTs a file's bytes as they are: a plugin jar.
     *
     * @throws CliException when the file cannot be read, naming it
     */
    JsonNode postFile(String path, Path file, String contentType) {
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            throw CliException.user("file '" + file + "' does not exist; give the path of the plugin's .jar");
        }
        return send("POST", path, contentType, body);
    }

    private JsonNode send(String method, String path, String contentType, HttpRequest.BodyPublisher content) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json, application/problem+json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        request.method(method, content);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw unreachable(e instanceof ConnectException ? "connection refused" : "connecting timed out", e);
        } catch (HttpTimeoutException e) {
            throw new CliException(
                    "the server at " + server + " did not answer " + method + " " + path + " within "
                            + REQUEST_TIMEOUT.toSeconds() + "s; check that it is running ('curl " + server
                            + "/healthz')",
                    CliException.UNREACHABLE,
                    e);
        } catch (IOException e) {
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while waiting for the server at " + server, CliException.USER_ERROR, e);
        }
        String body = response.body();
        if (response.statusCode() >= 400) {
            throw problem(response.statusCode(), body);
        }
        if (body == null || body.isBlank()) {
            return null;
        }
        return Json.parse(body, method + " " + path);
    }

    private CliException unreachable(String why, Exception cause) {
        return new CliException(
                "the server at " + server + " is not reachable (" + why + ")\n"
                        + "start one with 'emp server', or name another with --server URL or EMP_SERVER",
                CliException.UNREACHABLE,
                cause);
    }

    /** The error of an answer with status {@code status}: its problem detail, or what can be said without one. */
    private ApiException problem(int status, String body) {
        JsonNode problem = null;
        if (body != null && !body.isBlank()) {
            try {
                problem = Json.MAPPER.readTree(body);
            } catch (IOException e) {
                problem = null;
            }
        }
        String detail = problem != null && problem.isObject() ? Json.text(problem, "detail", null) : null;
        String title = problem != null && problem.isObject() ? Json.text(problem, "title", null) : null;
        String field = problem != null && problem.isObject() ? Json.text(problem, "field", null) : null;
        String message;
        if (detail != null && !detail.isBlank()) {
            message = detail;
        } else if (title != null && !title.isBlank()) {
            message = title + " (HTTP " + status + ")";
        } else {
            message = "the server at " + server + " answered HTTP " + status + (status >= 500 ? "; see its log" : "");
        }
        if (status == 401) {
            message += token == null
                    ? "\nlog in with 'emp login'"
                    : "\nthe session may have ended; log in again with 'emp login'";
        }
        return new ApiException(status, message, field);
    }
}
