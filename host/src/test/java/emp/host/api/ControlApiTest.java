package emp.host.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.TestServer;
import emp.host.TestServer.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The control API of a real server, with the real store-file and cluster-local plugins loaded from their jars. */
class ControlApiTest {
    @TempDir
    static Path dataDir;

    static TestServer server;
    private static final AtomicInteger users = new AtomicInteger();

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dataDir, Map.of());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String newUser() {
        return server.signUp("user-" + users.incrementAndGet());
    }

    @Test
    void accountsAreCreatedOnceAndLoginGivesAWorkingToken() {
        String credentials = "{\"username\": \"carol\", \"password\": \"correct horse\"}";
        Reply created = server.send("POST", "/v1/accounts", null, credentials);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("username").asText()).isEqualTo("carol");

        Reply duplicate = server.send("POST", "/v1/accounts", null, credentials);
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.detail()).contains("'carol'").contains("taken");

        Reply wrongPassword =
                server.send("POST", "/v1/sessions", null, "{\"username\": \"carol\", \"password\": \"wrong horse\"}");
        assertThat(wrongPassword.status()).isEqualTo(401);
        assertThat(wrongPassword.contentType()).startsWith("application/problem+json");
        assertThat(wrongPassword.detail()).isEqualTo("wrong username or password");
        assertThat(server.send(
                                "POST",
                                "/v1/sessions",
                                null,
                                "{\"username\": \"nobody\", \"password\": \"correct horse\"}")
                        .status())
                .isEqualTo(401);

        Reply login = server.send("POST", "/v1/sessions", null, credentials);
        assertThat(login.status()).isEqualTo(201);
        String token = login.json().get("token").asText();
        assertThat(server.send("GET", "/v1/apps", token, null).status()).isEqualTo(200);

        assertThat(server.send("DELETE", "/v1/sessions/current", token, null).status())
                .isEqualTo(204);
        Reply afterLogout = server.send("GET", "/v1/apps", token, null);
        assertThat(afterLogout.status()).isEqualTo(401);
        assertThat(afterLogout.detail()).contains("emp login");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"username\": \"Bad_Name\", \"password\": \"correct horse\"}|username",
                "{\"username\": \"a\", \"password\": \"correct horse\"}|username",
                "{\"username\": \"dave\", \"password\": \"short\"}|password",
                "{\"username\": \"dave\"}|password",
                "{\"password\": \"correct horse\"}|username",
                "{\"username\": \"dave\", \"password\": \"correct horse\", \"admin\": true}|admin",
            })
    void badAccountsAreRefusedNamingTheField(String body, String field) {
        Reply reply = server.send("POST", "/v1/accounts", null, body);
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).isEqualTo(field);
        assertThat(reply.detail()).contains(field);
    }

    @Test
    void appRoutesNeedAValidToken() {
        Reply none = server.send("GET", "/v1/apps", null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.detail()).contains("emp login");
        assertThat(server.send("GET", "/v1/apps", "not-a-token", null).status()).isEqualTo(401);
        assertThat(server.send("GET", "/v1/apps/x/load", null, null).status()).isEqualTo(401);
        for (String[] route : new String[][] {
            {"GET", "/v1/apps/x/span-credential"},
            {"GET", "/v1/users"},
            {"POST", "/v1/users/x/disable"},
            {"POST", "/v1/invites"},
            {"GET", "/v1/audit"},
            {"GET", "/v1/apps?all=true"},
        }) {
            assertThat(server.send(route[0], route[1], null, null).status())
                    .as("%s %s without a token", route[0], route[1])
                    .isEqualTo(401);
        }
        assertThat(server.send("POST", "/v1/apps", "not-a-token", TestServer.helloSpec("x", ""))
                        .status())
                .isEqualTo(401);
    }

    @Test
    void anAppIsDeployedScaledStoppedStartedAndRemoved() {
        String token = newUser();
        Reply deployed = server.send(
                "POST",
                "/v1/apps",
                token,
                TestServer.helloSpec(
                        "hello", "\"replicas\": 2, \"envs\": [{\"name\": \"GREETING\", \"value\": \"hi\"}]"));
        assertThat(deployed.status()).as(deployed.body()).isEqualTo(201);
        String id = deployed.json().get("id").asText();
        assertThat(deployed.json().get("name").asText()).isEqualTo("hello");
        assertThat(deployed.json().get("replicas").get("desired").asInt()).isEqualTo(2);

        JsonNode running = awaitReady(token, "hello", 2);
        assertThat(running.get("state").asText()).isEqualTo("running");
        assertThat(running.get("instances")).hasSize(2);
        assertThat(running.get("instances").get(0).get("pid").asLong()).isPositive();
        String url = running.get("url").asText();

        Set<String> answeredBy = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = TestServer.call(
                    HttpRequest.newBuilder(java.net.URI.create(url)).build());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"message\":\"hi\"").contains("/hello");
            answeredBy.add(response.body().replaceAll("(?s).*\"instance\":\"([^\"]+)\".*", "$1"));
        }
        assertThat(answeredBy).as("both replicas answer through the gateway").hasSize(2);

        assertThat(server.send("GET", "/v1/apps/" + id, token, null)
                        .json()
                        .get("name")
                        .asText())
                .isEqualTo("hello");
        Reply scaled =
                server.send("PUT", "/v1/apps/hello/replicas", token, "{\"replicas\": 3, \"reason\": \"more traffic\"}");
        assertThat(scaled.status()).isEqualTo(200);
        awaitReady(token, "hello", 3);

        Reply stopped = server.send("POST", "/v1/apps/hello/stop", token, null);
        assertThat(stopped.json().get("state").asText()).isEqualTo("stopped");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> server.send("GET", "/v1/apps/hello", token, null)
                        .json()
                        .get("instances")
                        .isEmpty());
        assertThat(TestServer.call(
                                HttpRequest.newBuilder(java.net.URI.create(url)).build())
                        .statusCode())
                .isEqualTo(503);

        assertThat(server.send("POST", "/v1/apps/hello/start", token, null).status())
                .isEqualTo(200);
        awaitReady(token, "hello", 3);

        Reply metric =
                server.send("PUT", "/v1/apps/hello/quality-metrics/latency_p95_ms", token, "{\"values\": \"250\"}");
        assertThat(metric.status()).isEqualTo(200);
        assertThat(metric.json().get("spec").get("quality_metrics").toString())
                .contains("latency_p95_ms")
                .contains("250");

        List<String> events = server.send("GET", "/v1/apps/hello/events", token, null).list().stream()
                .map(event -> event.get("type").asText())
                .toList();
        assertThat(events).contains("deploy", "ready", "scale", "stop", "start", "metrics");
        assertThat(server.send("GET", "/v1/apps/hello/events", token, null).body())
                .contains("scaled hello 2 -> 3")
                .contains("more traffic");
        // Paged: two at a time from the start, each page after the last one's sequence number, gives the whole log.
        List<String> paged = new java.util.ArrayList<>();
        long after = 0;
        for (List<JsonNode> page;
                !(page = server.send("GET", "/v1/apps/hello/events?limit=2&after=" + after, token, null)
                                .list())
                        .isEmpty(); ) {
            assertThat(page.size()).isLessThanOrEqualTo(2);
            page.forEach(event -> paged.add(event.get("type").asText()));
            after = page.get(page.size() - 1).get("seq").asLong();
        }
        assertThat(paged).startsWith(events.toArray(String[]::new));
        assertThat(server.send("GET", "/v1/apps/hello/events?after=-1", token, null)
                        .json()
                        .get("field")
                        .asText())
                .isEqualTo("after");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.send("GET", "/v1/apps/hello/logs?tail=50", token, null)
                                .list()
                                .size()
                        >= 3);

        assertThat(server.send("DELETE", "/v1/apps/hello", token, null).status())
                .isEqualTo(204);
        assertThat(server.send("GET", "/v1/apps/hello", token, null).status()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> TestServer.call(HttpRequest.newBuilder(java.net.URI.create(url))
                                        .build())
                                .statusCode()
                        == 404);
    }

    @Test
    void aRedeployUpdatesTheAppInPlaceAndAnUnchangedOneDoesNothing() {
        String token = newUser();
        Reply created = server.send(
                "PUT",
                "/v1/apps",
                token,
                TestServer.helloSpec(
                        "evolving", "\"replicas\": 1, \"envs\": [{\"name\": \"GREETING\", \"value\": \"one\"}]"));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().get("change").asText()).isEqualTo("created");
        String id = created.json().get("id").asText();
        awaitReady(token, "evolving", 1);
        assertThat(server.send("PUT", "/v1/apps/evolving/replicas", token, "{\"replicas\": 2}")
                        .status())
                .isEqualTo(200);
        String url = awaitReady(token, "evolving", 2).get("url").asText();

        // the same spec again: nothing happens
        Reply same = server.send(
                "PUT",
                "/v1/apps",
                token,
                TestServer.helloSpec(
                        "evolving", "\"replicas\": 1, \"envs\": [{\"name\": \"GREETING\", \"value\": \"one\"}]"));
        assertThat(same.json().get("change").asText()).isEqualTo("unchanged");
        assertThat(same.json().get("replicas").get("desired").asInt()).isEqualTo(2);

        // a changed spec: the same app, its replicas kept, rolled onto the new spec
        Reply updated = server.send(
                "PUT",
                "/v1/apps",
                token,
                "["
                        + TestServer.helloSpec(
                                "evolving", "\"replicas\": 1, \"envs\": [{\"name\": \"GREETING\", \"value\": \"two\"}]")
                        + "]");
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        assertThat(updated.json().get(0).get("change").asText()).isEqualTo("updated");
        assertThat(updated.json().get(0).get("id").asText()).isEqualTo(id);
        assertThat(updated.json().get(0).get("replicas").get("desired").asInt())
                .as("the count the app had, since the spec's replicas did not change")
                .isEqualTo(2);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(TestServer.call(HttpRequest.newBuilder(java.net.URI.create(url))
                                        .build())
                                .body())
                        .contains("\"message\":\"two\""));
        awaitReady(token, "evolving", 2);
        String events =
                server.send("GET", "/v1/apps/evolving/events", token, null).body();
        assertThat(events).contains("redeployed 'evolving' as release v2: changed envs; 2 replicas");

        // a spec whose replicas changed sets the count
        Reply resized = server.send(
                "PUT",
                "/v1/apps",
                token,
                TestServer.helloSpec(
                        "evolving", "\"replicas\": 3, \"envs\": [{\"name\": \"GREETING\", \"value\": \"two\"}]"));
        assertThat(resized.json().get("change").asText()).isEqualTo("updated");
        assertThat(resized.json().get("replicas").get("desired").asInt()).isEqualTo(3);
        assertThat(server.send("POST", "/v1/apps", token, TestServer.helloSpec("evolving", ""))
                        .status())
                .as("POST only creates")
                .isEqualTo(409);
        assertThat(server.send("DELETE", "/v1/apps/evolving", token, null).status())
                .isEqualTo(204);
    }

    @Test
    void aRollingRestartReplacesEveryReplica() {
        String token = newUser();
        assertThat(server.send("PUT", "/v1/apps", token, TestServer.helloSpec("restarting", "\"replicas\": 2"))
                        .status())
                .isEqualTo(200);
        Set<String> before = new HashSet<>();
        awaitReady(token, "restarting", 2)
                .get("instances")
                .forEach(instance -> before.add(instance.get("id").asText()));

        Reply restarted = server.send("POST", "/v1/apps/restarting/restart", token, null);

        assertThat(restarted.status()).as(restarted.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode app = awaitReady(token, "restarting", 2);
            Set<String> now = new HashSet<>();
            app.get("instances").forEach(instance -> now.add(instance.get("id").asText()));
            assertThat(now).doesNotContainAnyElementsOf(before);
        });
        assertThat(server.send("GET", "/v1/apps/restarting/events", token, null).body())
                .contains("rolling restart of 2 replicas by");
        assertThat(server.send("POST", "/v1/apps/restarting/stop", token, null).status())
                .isEqualTo(200);
        Reply stopped = server.send("POST", "/v1/apps/restarting/restart", token, null);
        assertThat(stopped.status()).isEqualTo(409);
        assertThat(stopped.detail()).contains("'restarting' is stopped");
        assertThat(server.send("DELETE", "/v1/apps/restarting", token, null).status())
                .isEqualTo(204);
    }

    @Test
    void anotherUsersAppIsInvisible() {
        String alice = newUser();
        String bob = newUser();
        Reply deployed = server.send("POST", "/v1/apps", alice, TestServer.helloSpec("private", "\"replicas\": 0"));
        String id = deployed.json().get("id").asText();
        for (String path : List.of(
                "/v1/apps/" + id,
                "/v1/apps/private",
                "/v1/apps/" + id + "/events",
                "/v1/apps/" + id + "/logs",
                "/v1/apps/" + id + "/load")) {
            Reply reply = server.send("GET", path, bob, null);
            assertThat(reply.status()).as(path).isEqualTo(404);
        }
        assertThat(server.send("PUT", "/v1/apps/" + id + "/replicas", bob, "{\"replicas\": 1}")
                        .status())
                .isEqualTo(404);
        assertThat(server.send("DELETE", "/v1/apps/" + id, bob, null).status()).isEqualTo(404);
        assertThat(server.send("GET", "/v1/apps", bob, null).list()).isEmpty();
        assertThat(server.send("GET", "/v1/apps/" + id, alice, null).status()).isEqualTo(200);
        // the same name is free for another user
        assertThat(server.send("POST", "/v1/apps", bob, TestServer.helloSpec("private", "\"replicas\": 0"))
                        .status())
                .isEqualTo(201);
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"name\": \"x\", |400|malformed JSON",
                "[1, 2]|400|a list of non-objects",
                "\"hello\"|400|a string",
                "{\"command\": [\"java\"]}|400|missing name",
                "{\"name\": \"Bad_Name\", \"command\": [\"java\"]}|400|bad name",
                "{\"name\": \"p\", \"command\": [\"java\"], \"port\": 70000}|400|port out of range",
                "{\"name\": \"p\", \"command\": [\"java\"], \"port\": \"http\"}|400|port not a number",
                "{\"name\": \"q\", \"command\": [\"java\"], \"quality_metrics\": [{\"metric\": \"latency_p42\", \"values\": \"1\"}]}|400|unknown quality metric",
                "{\"name\": \"q\", \"command\": [\"java\"], \"quality_metrics\": [{\"metric\": \"latency_p95_ms\", \"values\": \"fast\"}]}|400|non-numeric metric value",
                "{\"name\": \"r\", \"command\": [\"java\"], \"replicas\": -1}|400|replicas below 0",
                "{\"name\": \"r\", \"command\": [\"java\"], \"replicas\": 11}|400|replicas above max_replicas",
                "{\"name\": \"r\", \"command\": [\"java\"], \"replicas\": 3, \"max_replicas\": 2}|400|replicas above a given max_replicas",
                "{\"name\": \"s\", \"command\": [\"java\"], \"concurrency\": 0}|400|concurrency below 1",
                "{\"name\": \"s\", \"command\": [\"java\"], \"queue_timeout\": 0}|400|queue timeout of 0 s",
                "{\"name\": \"s\", \"command\": [\"java\"], \"idle_after\": 0.5}|400|idle after under a second",
                "{\"name\": \"s\", \"command\": [\"java\"], \"queue_timeout\": \"30s\"}|400|queue timeout not a number",
                "{\"name\": \"s\", \"command\": [\"java\"], \"rollout\": {\"max_surge\": \"lots\"}}|400|rollout surge not a count",
                "{\"name\": \"s\", \"command\": [\"java\"], \"rollout\": {\"max_unavailable\": \"150%\"}}|400|rollout over 100%",
                "{\"name\": \"s\", \"command\": [\"java\"], \"rollout\": {\"max_surge\": 0}}|400|rollout that cannot move",
                "{\"name\": \"c\", \"command\": []}|400|empty command",
                "{\"name\": \"c\", \"command\": [\"\"]}|400|blank program",
                "{\"name\": \"c\", \"command\": [\"java\"], \"colour\": \"red\"}|400|unknown field",
                "{\"name\": \"d\", \"docker_image\": \"nginx:1.27\"}|422|docker image on the local cluster",
                "{\"name\": \"e\", \"command\": [\"java\"], \"dependencies\": [\"nowhere\"]}|400|dependency not deployed",
                "[{\"name\": \"ok\", \"command\": [\"java\"]}, {\"name\": \"ok\", \"command\": [\"java\"]}]|400|the same name twice in a list",
                "[{\"name\": \"fine\", \"command\": [\"java\"]}, {\"name\": \"bad!\", \"command\": [\"java\"]}]|400|one bad spec in a list",
            })
    void badSpecsAreRefusedAndChangeNothing(String body, int status, String what) {
        String token = newUser();
        Reply reply = server.send("POST", "/v1/apps", token, body);
        assertThat(reply.status()).as(what + ": " + reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.detail()).as(what).isNotBlank();
        assertThat(server.send("GET", "/v1/apps", token, null).list())
                .as(what + " stores nothing")
                .isEmpty();
    }

    @Test
    void errorsNameTheField() {
        String token = newUser();
        Reply port = server.send("POST", "/v1/apps", token, "{\"name\": \"p\", \"command\": [\"java\"], \"port\": 0}");
        assertThat(port.json().get("field").asText()).isEqualTo("port");
        assertThat(port.detail()).contains("1 to 65535");
        Reply metric = server.send(
                "POST",
                "/v1/apps",
                token,
                "[{\"name\": \"a\", \"command\": [\"java\"]}, {\"name\": \"b\", \"command\": [\"java\"], \"quality_metrics\": [{\"metric\": \"latency_p95_ms\", \"values\": \"fast\"}]}]");
        assertThat(metric.json().get("field").asText()).isEqualTo("quality_metrics[0].values");
        assertThat(metric.detail()).contains("'fast'").contains("number");
        Reply docker = server.send("POST", "/v1/apps", token, "{\"name\": \"songs\", \"docker_image\": \"songs:1\"}");
        assertThat(docker.detail()).contains("'songs'").contains("command");
        Reply malformed = server.send("POST", "/v1/apps", token, "{\"name\": ");
        assertThat(malformed.detail()).contains("not valid JSON").contains("line 1");
    }

    @Test
    void duplicateNamesScaleBoundsAndMetricUpdatesAreChecked() {
        String token = newUser();
        assertThat(server.send(
                                "POST",
                                "/v1/apps",
                                token,
                                TestServer.helloSpec("dup", "\"replicas\": 0, \"max_replicas\": 4"))
                        .status())
                .isEqualTo(201);
        Reply duplicate = server.send("POST", "/v1/apps", token, TestServer.helloSpec("dup", "\"replicas\": 0"));
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.detail()).contains("'dup'");

        for (String body : List.of(
                "{\"replicas\": -1}",
                "{\"replicas\": 5}",
                "{\"replicas\": \"two\"}",
                "{}",
                "{\"replicas\": 1.5}",
                "")) {
            Reply reply = server.send("PUT", "/v1/apps/dup/replicas", token, body);
            assertThat(reply.status()).as(body).isEqualTo(400);
            assertThat(reply.detail()).as(body).isNotBlank();
        }
        assertThat(server.send("PUT", "/v1/apps/dup/quality-metrics/latency_p95_ms", token, "{\"values\": \"soon\"}")
                        .status())
                .isEqualTo(400);
        assertThat(server.send("PUT", "/v1/apps/dup/quality-metrics/speed", token, "{\"values\": \"1\"}")
                        .status())
                .isEqualTo(400);
        assertThat(server.send("GET", "/v1/apps/dup/events?limit=0", token, null)
                        .status())
                .isEqualTo(400);
        assertThat(server.send("GET", "/v1/apps/dup/logs?tail=lots", token, null)
                        .status())
                .isEqualTo(400);
        JsonNode app = server.send("GET", "/v1/apps/dup", token, null).json();
        assertThat(app.get("replicas").get("desired").asInt()).isZero();
        assertThat(app.get("spec").path("quality_metrics").size())
                .as("no metric stored")
                .isZero();
    }

    @Test
    void noInputMakesTheServerAnswer500() {
        String token = newUser();
        List<String> bodies = List.of(
                "",
                "null",
                "[]",
                "{}",
                "[[]]",
                "{\"name\": null}",
                "{\"name\": 5}",
                "{\"envs\": \"x\"}",
                "{\"name\":\"a\",\"command\":[null]}",
                "{\"name\":\"a\",\"command\":[\"java\"],\"envs\":[{\"value\":\"v\"}]}",
                "{\"name\":\"a\",\"command\":[\"java\"],\"quality_metrics\":[null]}",
                "\u0000\u0001",
                "{\"name\":\"a\",\"command\":[\"java\"],\"health\":{\"path\":\"x\"}}",
                "{\"name\":\"a\",\"command\":[\"java\"],\"resources\":{\"cpu\":\"lots\"}}",
                "{\"replicas\": 99999999999999999999}");
        List<String[]> routes = List.of(
                new String[] {"POST", "/v1/apps"},
                new String[] {"POST", "/v1/accounts"},
                new String[] {"POST", "/v1/sessions"},
                new String[] {"PUT", "/v1/apps/nothing/replicas"},
                new String[] {"PUT", "/v1/apps/nothing/quality-metrics/latency_p95_ms"},
                new String[] {"GET", "/v1/apps/%2e%2e"},
                new String[] {"PATCH", "/v1/apps"},
                new String[] {"GET", "/v2/nothing"});
        for (String[] route : routes) {
            for (String body : bodies) {
                Reply reply = server.send(route[0], route[1], token, route[0].equals("GET") ? null : body);
                assertThat(reply.status())
                        .as(route[0] + " " + route[1] + " " + body + " -> " + reply.body())
                        .isBetween(400, 499);
                assertThat(reply.contentType()).startsWith("application/problem+json");
            }
        }
    }

    @Test
    void aClientThatOffersHttp2UpgradeIsAnswered() throws Exception {
        // The JDK's HTTP client offers "Upgrade: h2c" by default; a server that takes that as an upgraded connection
        // waits forever for the body.
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2)
                .build();
        HttpRequest request = HttpRequest.newBuilder(server.api().resolve("/v1/accounts"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"username\": \"upgrader\", \"password\": \"correct horse\"}"))
                .build();
        assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(201);
    }

    @Test
    void pluginsAndHealthAreListed() {
        Reply plugins = server.send("GET", "/v1/plugins", null, null);
        assertThat(plugins.status()).isEqualTo(200);
        assertThat(plugins.body()).contains("\"id\":\"store-file\"").contains("\"id\":\"cluster-local\"");
        JsonNode local = plugins.list().stream()
                .filter(plugin -> plugin.get("id").asText().equals("cluster-local"))
                .findFirst()
                .orElseThrow();
        assertThat(local.get("state").asText()).isEqualTo("started");
        assertThat(local.get("extensions").get(0).get("point").asText()).isEqualTo("cluster");
        assertThat(local.get("extensions").get(0).get("active").asBoolean()).isTrue();

        Reply health = server.send("GET", "/healthz", null, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("ok");
        assertThat(health.json().get("checks").get("store").get("healthy").asBoolean())
                .isTrue();
    }

    static JsonNode awaitReady(String token, String app, int replicas) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    last[0] = server.send("GET", "/v1/apps/" + app, token, null).json();
                    return last[0].get("replicas").get("ready").asInt() == replicas
                            && last[0].get("instances").size() == replicas;
                });
        return last[0];
    }
}
