package emp.host.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.JsonCodec;
import emp.host.TestServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's side of the API, over HTTP as a browser uses it: the session cookie and its CSRF header, the live
 * stream and what it sends, and the page's files with their security headers.
 */
class DashboardApiTest {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @TempDir
    static Path dataDir;

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(dataDir, Map.of());
        server.signUp("dora");
        server.signUp("mallory");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theSessionCookieIsHttpOnlyStrictAndChangesNeedTheCsrfHeader() {
        HttpResponse<String> login = loginAs("dora");
        assertThat(login.statusCode()).isEqualTo(201);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("emp_session=").contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
        assertThat(setCookie).contains("Path=/");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        JsonNode session = json(login.body());
        assertThat(session.get("username").asText()).isEqualTo("dora");
        String csrf = session.get("csrf").asText();
        assertThat(login.body())
                .as("the token is never in a body the page can read")
                .doesNotContain(cookie.substring(12));

        HttpResponse<String> current = call("GET", "/ui/session", cookie, null, null);
        assertThat(current.statusCode()).isEqualTo(200);
        assertThat(current.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(login.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(login.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(call("GET", "/v1/apps", cookie, null, null).statusCode()).isEqualTo(200);
        // A form on another site sends the cookie (were it not Strict) but cannot send the header.
        HttpResponse<String> forged =
                call("POST", "/v1/apps", cookie, null, TestServer.helloSpec("forged", "\"replicas\": 0"));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(json(forged.body()).get("detail").asText()).contains("X-EMP-CSRF");
        assertThat(call("POST", "/v1/apps", cookie, "wrong", TestServer.helloSpec("forged", "\"replicas\": 0"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(call("POST", "/v1/apps", cookie, csrf, TestServer.helloSpec("cookied", "\"replicas\": 0"))
                        .statusCode())
                .isEqualTo(201);
        // A login from a form (not JSON) is refused: no logging a victim into the attacker's account.
        HttpResponse<String> formLogin =
                TestServer.call(HttpRequest.newBuilder(server.api().resolve("/ui/session"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("username=dora&password=correct+horse"))
                        .build());
        assertThat(formLogin.statusCode()).isEqualTo(415);

        assertThat(call("DELETE", "/ui/session", cookie, null, null).statusCode())
                .isEqualTo(403);
        HttpResponse<String> logout = call("DELETE", "/ui/session", cookie, csrf, null);
        assertThat(logout.statusCode()).isEqualTo(204);
        assertThat(logout.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(call("GET", "/v1/apps", cookie, null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void theStreamSendsTheListAtOnceAndAgainWhenAnAppIsDeployedOrScaled() throws Exception {
        String cookie = cookieOf(loginAs("dora"));
        String token = server.login("dora");
        try (Events events = Events.open(server, cookie, "/v1/stream")) {
            JsonNode first = events.next("apps");
            assertThat(first.isArray()).isTrue();
            assertThat(server.send("POST", "/v1/apps", token, TestServer.helloSpec("live", "\"replicas\": 0"))
                            .status())
                    .isEqualTo(201);
            JsonNode listed = events.until("apps", apps -> contains(apps, "live"));
            JsonNode live = find(listed, "live");
            assertThat(live.get("replicas").get("desired").asInt()).isZero();
            assertThat(live.has("p95_ms")).as("no requests yet: no latency").isFalse();

            server.send("PUT", "/v1/apps/live/quality-metrics/latency_p95_ms", token, "{\"values\": \"150\"}");
            JsonNode targeted = events.until(
                    "apps",
                    apps -> find(apps, "live") != null
                            && find(apps, "live").path("target_p95_ms").asDouble() == 150.0);
            assertThat(find(targeted, "live").get("state").asText()).isNotBlank();
            assertThat(events.next("graph").get("nodes").isArray()).isTrue();
        }
    }

    @Test
    void anAppsStreamGivesItsViewHistoryAndEventsAndTheGraphHasItsCalls() throws Exception {
        String token = server.login("dora");
        for (String app : List.of("shop", "stock")) {
            server.send("POST", "/v1/apps", token, TestServer.helloSpec(app, "\"replicas\": 0"));
        }
        server.reportCalls(token, "dora", "shop", "stock", 20);
        String cookie = cookieOf(loginAs("dora"));
        try (Events events = Events.open(server, cookie, "/v1/stream?app=shop")) {
            assertThat(events.next("app").get("name").asText()).isEqualTo("shop");
            assertThat(events.next("events").get(0).get("type").asText()).isEqualTo("deploy");
            JsonNode history = events.until("history", h -> h.get("samples").findValue("p95_ms") != null);
            assertThat(history.get("interval_seconds").asInt()).isEqualTo(5);
            assertThat(history.get("samples").get(0).get("replicas").asInt()).isZero();
            JsonNode graph = events.until("graph", g -> g.get("edges").size() > 0);
            assertThat(graph.get("edges").get(0).get("from").asText()).isEqualTo("dora/shop");
            assertThat(graph.get("edges").get(0).get("to").asText()).isEqualTo("dora/stock");
            assertThat(graph.get("nodes").findValuesAsText("key")).contains("dora/shop", "dora/stock");
        }
    }

    @Test
    void anotherUsersAppIsNotFoundAndAnonymousCallersGetNoStream() {
        String dora = server.login("dora");
        server.send("POST", "/v1/apps", dora, TestServer.helloSpec("secret", "\"replicas\": 0"));
        String id = server.send("GET", "/v1/apps/secret", dora, null)
                .json()
                .get("id")
                .asText();
        String mallory = cookieOf(loginAs("mallory"));
        HttpResponse<String> peek = call("GET", "/v1/stream?app=" + id, mallory, null, null);
        assertThat(peek.statusCode()).isEqualTo(404);
        assertThat(peek.body()).doesNotContain("dora");
        assertThat(call("GET", "/v1/stream", null, null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void thePageIsServedWithAPolicyThatForbidsForeignScriptsAndFraming() {
        HttpResponse<String> root = call("GET", "/", null, null, null);
        assertThat(root.statusCode()).isEqualTo(303);
        assertThat(root.headers().firstValue("Location").orElseThrow()).endsWith("/ui/");
        assertThat(call("GET", "/ui", null, null, null).statusCode()).isEqualTo(303);
        for (String file : List.of("/ui/", "/ui/app.js", "/ui/app.css", "/ui/vendor/echarts.min.js")) {
            HttpResponse<String> page = call("GET", file, null, null, null);
            assertThat(page.statusCode()).as(file).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                    .contains("script-src 'self'")
                    .contains("frame-ancestors 'none'");
            assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        }
        assertThat(call("GET", "/ui/..%2F..%2Fetc%2Fpasswd", null, null, null).statusCode())
                .isIn(400, 404);
        assertThat(call("GET", "/ui/nothing.js", null, null, null).statusCode()).isEqualTo(404);
    }

    private static boolean contains(JsonNode apps, String name) {
        return find(apps, name) != null;
    }

    private static JsonNode find(JsonNode apps, String name) {
        for (JsonNode app : apps) {
            if (app.get("name").asText().equals(name)) {
                return app;
            }
        }
        return null;
    }

    private static HttpResponse<String> loginAs(String username) {
        return call(
                "POST",
                "/ui/session",
                null,
                null,
                "{\"username\": \"" + username + "\", \"password\": \"correct horse\"}");
    }

    private static String cookieOf(HttpResponse<String> login) {
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static HttpResponse<String> call(String method, String path, String cookie, String csrf, String body) {
        Map<String, String> headers = new java.util.HashMap<>();
        if (cookie != null) {
            headers.put("Cookie", cookie);
        }
        if (csrf != null) {
            headers.put("X-EMP-CSRF", csrf);
        }
        return server.exchange(method, path, headers, body);
    }

    private static JsonNode json(String body) {
        try {
            return JsonCodec.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    /** A Server-Sent Events stream read on its own thread, its events queued by name. */
    private static final class Events implements AutoCloseable {
        private final BlockingQueue<Map.Entry<String, JsonNode>> queue = new LinkedBlockingQueue<>();
        private final Thread reader;
        private volatile Stream<String> lines;

        private Events(HttpResponse<Stream<String>> response) {
            lines = response.body();
            reader = new Thread(() -> {
                String name = "message";
                StringBuilder data = new StringBuilder();
                try {
                    for (String line : (Iterable<String>) lines::iterator) {
                        if (line.startsWith("event:")) {
                            name = line.substring(6).trim();
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5).trim());
                        } else if (line.isEmpty() && data.length() > 0) {
                            queue.add(Map.entry(name, json(data.toString())));
                            name = "message";
                            data.setLength(0);
                        }
                    }
                } catch (RuntimeException e) {
                    // closed
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        static Events open(TestServer server, String cookie, String path) throws Exception {
            HttpResponse<Stream<String>> response = HTTP.send(
                    HttpRequest.newBuilder(server.api().resolve(path))
                            .header("Cookie", cookie)
                            .header("Accept", "text/event-stream")
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("text/event-stream");
            return new Events(response);
        }

        /** The next event of this name; others before it are passed over. */
        JsonNode next(String name) throws InterruptedException {
            return until(name, any -> true);
        }

        JsonNode until(String name, java.util.function.Predicate<JsonNode> wanted) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                Map.Entry<String, JsonNode> event = queue.poll(1, TimeUnit.SECONDS);
                if (event != null && event.getKey().equals(name) && wanted.test(event.getValue())) {
                    return event.getValue();
                }
            }
            throw new AssertionError("no '" + name + "' event as wanted within 30 s");
        }

        @Override
        public void close() {
            lines.close();
            reader.interrupt();
        }
    }
}
