package emp.host.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.JsonCodec;
import emp.host.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of generated hostile requests, seeded so that a failure repeats, over every route of the OpenAPI
 * document: odd path and query values, bodies that are valid specs bent out of shape (a field removed, of the wrong
 * type, huge, with control characters, nested deep, cut off, not UTF-8), odd content types and charsets, no token, a
 * bad one, a user's and an operator's. Not one may be answered 5xx, nor leave the server unhealthy; a refused request
 * may not change what is stored; and the server's heap after the run is back within 10 % of where it was.
 */
class ApiFuzzTest {
    private static final long SEED = 20261204L;
    private static final int REQUESTS = 4000;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @TempDir
    static Path dataDir;

    static TestServer server;
    static String operator;
    static String user;

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dataDir, Map.of("quota.apps-per-user", "5", "quota.replicas-per-user", "1"));
        operator = server.signUp("fuzz-operator");
        user = server.signUp("fuzz-user");
        assertThat(server.send("POST", "/v1/apps", user, validSpec("hello")).status())
                .isEqualTo(201);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void hostileRequestsGetNo5xxChangeNothingWhenRefusedAndLeaveTheHeapFlat() throws Exception {
        List<Route> routes = routes();
        assertThat(routes).hasSizeGreaterThan(20);
        Random random = new Random(SEED);
        for (int i = 0; i < 200; i++) {
            send(request(routes.get(random.nextInt(routes.size())), random));
        }
        long before = heapAfterGc();

        Map<String, Integer> byStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Route route = routes.get(random.nextInt(routes.size()));
            Fuzzed fuzzed = request(route, random);
            String stored = route.mutating() ? storedState() : null;
            int status = send(fuzzed);
            byStatus.merge(route + " " + (status / 100) + "xx", 1, Integer::sum);
            if (status == 0 && healthy()) {
                // Jetty answers a request it cannot parse (a NUL in the path, say) and closes the connection at once,
                // without reading the rest of its body: a client still sending may see the close, not the answer.
                byStatus.merge(route + " closed", 1, Integer::sum);
            } else if (status >= 500 || status == 0) {
                failures.add(
                        (status == 0 ? "no answer and the server unhealthy" : status) + " for " + fuzzed.describe());
            } else if (stored != null && status >= 400 && !stored.equals(storedState())) {
                failures.add("a refused request (" + status + ") changed what is stored: " + fuzzed.describe());
            }
        }

        // Live streams the run opened and closed at once are ended at their next look, within seconds.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> server.send("GET", "/metrics", null, null).body().contains("emp_dashboard_streams 0.0"));
        long after = heapAfterGc();
        assertThat(failures)
                .as("of %d requests; answers by route and class: %s", REQUESTS, byStatus)
                .isEmpty();
        assertThat(byStatus.keySet()).as("some requests get through").anyMatch(key -> key.endsWith("2xx"));
        assertThat((double) after)
                .as("heap used after GC, before %d bytes and after the run", before)
                .isLessThanOrEqualTo(before * 1.10);
    }

    /** Every method and path of the OpenAPI document, with its path and query parameters. */
    private static List<Route> routes() throws IOException {
        JsonNode document;
        try (InputStream in = ApiFuzzTest.class.getResourceAsStream(OpenApiResource.RESOURCE)) {
            document = JsonCodec.MAPPER.readTree(in);
        }
        List<Route> routes = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> method = methods.next();
                List<String> query = new ArrayList<>();
                for (JsonNode parameter : method.getValue().path("parameters")) {
                    if (parameter.path("in").asText().equals("query")) {
                        query.add(parameter.get("name").asText());
                    }
                }
                routes.add(new Route(
                        method.getKey().toUpperCase(Locale.ROOT),
                        path.getKey(),
                        query,
                        method.getValue().has("requestBody")));
            }
        }
        return routes;
    }

    private static final String[] PATH_VALUES = {
        "hello",
        "nope",
        "..",
        "%2e%2e%2f%2e%2e",
        "%00",
        "a%0Ab",
        "%C3%A9t%C3%A9",
        "x%20y",
        "-1",
        "99999999999999999999",
        "CON",
        "%FF%FE",
        "hello%2Fstop",
        "\u0130",
        "fuzz-operator",
        "a".repeat(300),
    };
    private static final String[] QUERY_VALUES = {
        "", "0", "-1", "1", "true", "false", "TRUE", "1e9", "2147483648", "abc", "%00", "%FF", "a".repeat(2000),
    };
    private static final String[] CONTENT_TYPES = {
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=utf-16",
        "application/json; charset=x-nope",
        "application/json; charset=\"",
        "text/plain",
        "application/x-protobuf",
        "multipart/form-data; boundary=x",
        "json",
        ";;;",
        "application/json; charset=ISO-8859-1",
        null,
    };

    private static Fuzzed request(Route route, Random random) {
        String path = route.path();
        while (path.contains("{")) {
            int open = path.indexOf('{');
            int close = path.indexOf('}', open);
            String name = path.substring(open + 1, close);
            String value = PATH_VALUES[random.nextInt(PATH_VALUES.length)];
            if (name.equals("name") && value.startsWith("fuzz-")) {
                // Disabling the accounts the run holds tokens of would only end the run early.
                value = "nobody";
            }
            if (route.method().equals("DELETE") && value.equals("hello")) {
                value = "nope";
            }
            path = path.substring(0, open) + value + path.substring(close + 1);
        }
        StringBuilder query = new StringBuilder();
        for (String name : route.query()) {
            if (random.nextInt(3) > 0) {
                query.append(query.length() == 0 ? "?" : "&")
                        .append(name)
                        .append('=')
                        .append(URLEncoder.encode(
                                QUERY_VALUES[random.nextInt(QUERY_VALUES.length)], StandardCharsets.UTF_8));
            }
        }
        if (random.nextInt(10) == 0) {
            query.append(query.length() == 0 ? "?" : "&").append("unknown=%25zz%00");
        }
        String token = switch (random.nextInt(5)) {
            case 0 -> null;
            case 1 -> "not-a-token";
            case 2 -> operator;
            default -> user;
        };
        if (route.path().equals("/v1/sessions/current")
                || (route.path().equals("/ui/session") && route.method().equals("DELETE"))) {
            // Logging out the run's own tokens would leave it nothing to try with.
            token = random.nextBoolean() ? null : "x".repeat(random.nextInt(500));
        }
        byte[] body = route.hasBody() || random.nextInt(8) == 0 ? body(route.path(), random) : null;
        String contentType = CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)];
        boolean gzip = random.nextInt(12) == 0;
        return new Fuzzed(route.method(), path + query, token, contentType, gzip, body);
    }

    /** A valid body for the route, bent out of shape more often than not. */
    private static byte[] body(String path, Random random) {
        String valid = switch (path) {
            case "/v1/accounts" ->
                "{\"username\": \"fuzz-" + random.nextInt(1000)
                        + "\", \"password\": \"correct horse\", \"invite\": \"x\"}";
            case "/v1/sessions", "/ui/session" -> "{\"username\": \"fuzz-user\", \"password\": \"wrong horse\"}";
            case "/v1/apps" ->
                random.nextBoolean() ? validSpec("fz" + random.nextInt(100)) : "[" + validSpec("a") + "]";
            case "/v1/apps/{id}/replicas" -> "{\"replicas\": " + (random.nextInt(5) - 1) + ", \"reason\": \"fuzz\"}";
            case "/v1/apps/{id}/quality-metrics/{metric}" -> "{\"values\": \"200\"}";
            case "/api/v2/spans" ->
                "[{\"traceId\": \"0000000000000001\", \"id\": \"0000000000000002\", \"name\": \"x\","
                        + " \"localEndpoint\": {\"serviceName\": \"fuzz-user/hello\"}, \"duration\": 5}]";
            default -> "{}";
        };
        return switch (random.nextInt(12)) {
            case 0 -> valid.getBytes(StandardCharsets.UTF_8);
            case 1 -> valid.substring(0, random.nextInt(valid.length())).getBytes(StandardCharsets.UTF_8);
            case 2 -> replaceFirstValue(valid, random).getBytes(StandardCharsets.UTF_8);
            case 3 -> valid.replaceFirst("\"[a-z_]+\": [^,}]+,? ?", "").getBytes(StandardCharsets.UTF_8);
            case 4 -> ("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8);
            case 5 ->
                valid.replace("correct horse", "p".repeat(100))
                        .replace("\"x\"", "\"" + "\u0000\u001b".repeat(50) + "\"")
                        .getBytes(StandardCharsets.UTF_8);
            case 6 -> new byte[] {(byte) 0xC3, (byte) 0x28, '{', (byte) 0xFF, (byte) 0xFE};
            case 7 -> ("{\"a\": " + "1".repeat(400) + "e999999}").getBytes(StandardCharsets.UTF_8);
            case 8 ->
                valid.replace("}", ", \"extra\": {\"nested\": [1, 2, {\"x\": null}]}}")
                        .getBytes(StandardCharsets.UTF_8);
            case 9 -> new byte[0];
            case 10 -> valid.replace("\"", "\\\"").getBytes(StandardCharsets.UTF_8);
            default -> randomBytes(random);
        };
    }

    private static String replaceFirstValue(String valid, Random random) {
        String[] values = {
            "null",
            "true",
            "-1",
            "1.5e308",
            "9223372036854775808",
            "\"\"",
            "[]",
            "{}",
            "[null]",
            "\"" + "v".repeat(70_000) + "\"",
            "\"\\ud800\"",
            "\"a\\u0000b\"",
        };
        return valid.replaceFirst(": (\"[^\"]*\"|-?[0-9]+|\\[[^]]*])", ": " + values[random.nextInt(values.length)]);
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(2000)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String validSpec(String name) {
        return "{\"name\": \"" + name + "\", \"command\": [\"sleep\", \"1000\"], \"replicas\": 0, \"max_replicas\": 1,"
                + " \"envs\": [{\"name\": \"A\", \"value\": \"b\"}], \"quality_metrics\": [{\"metric\":"
                + " \"latency_p95_ms\", \"values\": \"200\"}], \"health\": {\"path\": \"/health\"}}";
    }

    /** What is stored of the accounts and of the fuzzing user's apps: what a refused request must leave alone. */
    private static String storedState() {
        StringBuilder state = new StringBuilder();
        for (JsonNode app : server.send("GET", "/v1/apps", user, null).list()) {
            state.append(app.get("id").asText())
                    .append(' ')
                    .append(app.get("name").asText())
                    .append(' ')
                    .append(app.get("replicas").get("desired").asInt())
                    .append(' ')
                    .append(app.get("spec"))
                    .append('\n');
        }
        for (JsonNode account : server.send("GET", "/v1/users", operator, null).list()) {
            state.append(account.get("username").asText())
                    .append(' ')
                    .append(account.get("disabled").asBoolean())
                    .append('\n');
        }
        return state.toString();
    }

    /** The status of the answer; 0 when the server closed the connection without one. */
    private static int send(Fuzzed fuzzed) {
        URI uri = server.api().resolve(fuzzed.target());
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        HttpRequest.BodyPublisher publisher = fuzzed.body() == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(fuzzed.body());
        request.method(fuzzed.method(), publisher);
        if (fuzzed.contentType() != null && fuzzed.body() != null) {
            request.header("Content-Type", fuzzed.contentType());
        }
        if (fuzzed.gzip()) {
            request.header("Content-Encoding", "gzip");
        }
        if (fuzzed.token() != null) {
            request.header("Authorization", "Bearer " + fuzzed.token());
        }
        try {
            // The status is all that is read: a live stream (GET /v1/stream) never ends, so its body is not awaited.
            HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            return response.statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean healthy() {
        return server.send("GET", "/healthz", null, null).status() == 200;
    }

    private static long heapAfterGc() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(
                    least,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    private record Route(String method, String path, List<String> query, boolean hasBody) {
        boolean mutating() {
            return !method.equals("GET");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private record Fuzzed(String method, String target, String token, String contentType, boolean gzip, byte[] body) {
        String describe() {
            String shown = body == null ? "no body" : body.length + " bytes: " + preview();
            return method + " " + (target.length() > 200 ? target.substring(0, 200) + "..." : target) + " token="
                    + (token == null
                            ? "none"
                            : token.equals(operator) ? "operator" : token.equals(user) ? "user" : "bad")
                    + " content-type=" + contentType + (gzip ? " gzip" : "") + " " + shown;
        }

        private String preview() {
            String text = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
            return text.codePoints()
                    .map(c -> Character.isISOControl(c) ? '?' : c)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                    .toString();
        }
    }
}
