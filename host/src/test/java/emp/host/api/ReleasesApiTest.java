package emp.host.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.TestServer;
import emp.host.TestServer.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Releases, config, secrets and rollback through the control API of a real server, whose replicas (examples/hello)
 * answer with the {@code GREETING} they were given, so what runs is seen from outside.
 */
class ReleasesApiTest {
    private static final String SECRET = "s3cret-value-" + System.nanoTime();

    @TempDir
    static Path dataDir;

    static TestServer server;
    private static final AtomicInteger users = new AtomicInteger();

    @BeforeAll
    static void startServer() {
        // A release whose replicas are not all ready in 40 s fails; crashing ones fail sooner, after 3 exits.
        server = TestServer.start(dataDir, Map.of("release.timeout", "40s"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String newUser() {
        return server.signUp("releaser-" + users.incrementAndGet());
    }

    @Test
    void configChangesMakeReleasesThatRollAndRollbackRestoresSpecAndConfigExactly() {
        String token = newUser();
        String url = deploy(token, "configured", greeting("one"));
        assertThat(greetingAt(url)).isEqualTo("one");
        JsonNode first = awaitRelease(token, "configured", 1, "succeeded");
        assertThat(first.get("description").asText()).isEqualTo("deployed");
        assertThat(first.get("current").asBoolean()).isTrue();

        // config wins over the spec's envs, and makes release 2
        Reply set = server.send(
                "PATCH",
                "/v1/apps/configured/config",
                token,
                "{\"set\": {\"GREETING\": \"two\", \"LEVEL\": \"debug\"}}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("release").asInt()).isEqualTo(2);
        assertThat(set.json().get("changed").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> "two".equals(greetingAt(url)));
        JsonNode second = awaitRelease(token, "configured", 2, "succeeded");
        assertThat(second.get("description").asText()).isEqualTo("set config GREETING, LEVEL");
        assertThat(second.get("by").asText()).startsWith("releaser-");
        assertThat(server.send("GET", "/v1/apps/configured/config", token, null)
                        .json()
                        .get("config"))
                .hasToString("{\"GREETING\":\"two\",\"LEVEL\":\"debug\"}");

        // the same values again change nothing
        Reply same = server.send("PATCH", "/v1/apps/configured/config", token, "{\"set\": {\"LEVEL\": \"debug\"}}");
        assertThat(same.json().get("changed").asBoolean()).isFalse();
        assertThat(same.json().get("release").asInt()).isEqualTo(2);

        // a redeploy with another spec is release 3, and keeps the config
        assertThat(server.send(
                                "PUT",
                                "/v1/apps",
                                token,
                                TestServer.helloSpec("configured", greeting("three") + ", \"min_replicas\": 1"))
                        .json()
                        .get("release")
                        .asInt())
                .isEqualTo(3);
        awaitRelease(token, "configured", 3, "succeeded");
        assertThat(greetingAt(url)).as("config still wins").isEqualTo("two");
        Reply unset = server.send("PATCH", "/v1/apps/configured/config", token, "{\"unset\": [\"GREETING\"]}");
        assertThat(unset.json().get("release").asInt()).isEqualTo(4);
        await().atMost(Duration.ofSeconds(60)).until(() -> "three".equals(greetingAt(url)));

        // back to release 1: its spec and config, exactly, as release 5
        Reply rollback = server.send("POST", "/v1/apps/configured/rollback", token, "{\"version\": 1}");
        assertThat(rollback.status()).as(rollback.body()).isEqualTo(200);
        assertThat(rollback.json().get("version").asInt()).isEqualTo(5);
        assertThat(rollback.json().get("rollback_of").asInt()).isEqualTo(1);
        assertThat(rollback.json().get("description").asText()).isEqualTo("rollback to v1");
        await().atMost(Duration.ofSeconds(60)).until(() -> "one".equals(greetingAt(url)));
        JsonNode restored = awaitRelease(token, "configured", 5, "succeeded");
        assertThat(restored.get("spec")).isEqualTo(first.get("spec"));
        assertThat(restored.get("config")).isEqualTo(first.get("config"));
        JsonNode app = server.send("GET", "/v1/apps/configured", token, null).json();
        assertThat(app.get("release").asInt()).isEqualTo(5);
        assertThat(app.get("spec")).isEqualTo(first.get("spec"));
        assertThat(app.get("config")).isEmpty();

        // without a version: the release before the current one
        Reply previous = server.send("POST", "/v1/apps/configured/rollback", token, null);
        assertThat(previous.json().get("rollback_of").asInt()).isEqualTo(4);
        List<JsonNode> releases =
                server.send("GET", "/v1/apps/configured/releases", token, null).list();
        assertThat(releases)
                .extracting(release -> release.get("version").asInt())
                .containsExactly(6, 5, 4, 3, 2, 1);
        assertThat(releases.get(0).get("current").asBoolean()).isTrue();
        assertThat(releases.get(1).get("current").asBoolean()).isFalse();
        assertThat(server.send("GET", "/v1/apps/configured/releases?limit=2", token, null)
                        .list())
                .hasSize(2);
        assertThat(server.send("GET", "/v1/apps/configured/releases/v2", token, null)
                        .json()
                        .get("version")
                        .asInt())
                .isEqualTo(2);
        assertThat(server.send("DELETE", "/v1/apps/configured", token, null).status())
                .isEqualTo(204);
    }

    @Test
    void secretsReachTheReplicasAndNeverTheApiTheEventsOrTheStore() throws IOException {
        String token = newUser();
        String url = deploy(token, "secretive", greeting("plain"));

        Reply set = server.send(
                "PATCH", "/v1/apps/secretive/secrets", token, "{\"set\": {\"GREETING\": \"" + SECRET + "\"}}");

        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("secrets")).hasToString("[\"GREETING\"]");
        await().atMost(Duration.ofSeconds(60)).until(() -> SECRET.equals(greetingAt(url)));
        awaitRelease(token, "secretive", 2, "succeeded");
        Reply again = server.send(
                "PATCH", "/v1/apps/secretive/secrets", token, "{\"set\": {\"GREETING\": \"" + SECRET + "\"}}");
        assertThat(again.json().get("changed").asBoolean()).as("the same value").isFalse();
        List<Reply> answers = new ArrayList<>(List.of(set, again));
        for (String path : List.of(
                "/v1/apps/secretive",
                "/v1/apps",
                "/v1/apps/secretive/secrets",
                "/v1/apps/secretive/config",
                "/v1/apps/secretive/releases",
                "/v1/apps/secretive/releases/2",
                "/v1/apps/secretive/events")) {
            answers.add(server.send("GET", path, token, null));
        }
        for (Reply answer : answers) {
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).doesNotContain(SECRET);
        }
        assertThat(server.send("GET", "/v1/apps/secretive/secrets", token, null)
                        .json()
                        .get("secrets"))
                .hasToString("[\"GREETING\"]");
        assertThat(storeFilesHold(SECRET)).as("the store holds it sealed").isFalse();
        assertThat(storeFilesHold("secrets-key-id"))
                .as("the store files are where the test looks")
                .isTrue();

        // a name both config and secret is refused: one place says a variable's value
        Reply clash = server.send("PATCH", "/v1/apps/secretive/config", token, "{\"set\": {\"GREETING\": \"x\"}}");
        assertThat(clash.status()).isEqualTo(409);
        assertThat(clash.detail()).contains("'GREETING' is a secret").doesNotContain(SECRET);

        Reply unset = server.send("PATCH", "/v1/apps/secretive/secrets", token, "{\"unset\": [\"GREETING\"]}");
        assertThat(unset.json().get("secrets")).isEmpty();
        await().atMost(Duration.ofSeconds(60)).until(() -> "plain".equals(greetingAt(url)));
        assertThat(server.send("DELETE", "/v1/apps/secretive", token, null).status())
                .isEqualTo(204);
    }

    @Test
    void aReleaseWhoseReplicasCrashIsRolledBackWhileThePreviousOneKeepsServing() throws Exception {
        String token = newUser();
        String url = deploy(token, "fragile", greeting("steady") + ", \"replicas\": 2");
        awaitRelease(token, "fragile", 1, "succeeded");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        Thread load = new Thread(() -> {
            while (running.get()) {
                String greeting = greetingAt(url);
                if ("steady".equals(greeting)) {
                    served.incrementAndGet();
                } else {
                    synchronized (failures) {
                        failures.add(String.valueOf(greeting));
                    }
                }
            }
        });
        load.start();
        String java = ProcessHandle.current().info().command().orElse("java");
        String broken = "{\"name\": \"fragile\", \"command\": [\"" + java
                + "\", \"-cp\", \"/nowhere\", \"emp.NoSuchMain\"], \"health\": {\"path\": \"/health\"}, "
                + greeting("steady") + ", \"replicas\": 2}";
        try {
            Reply updated = server.send("PUT", "/v1/apps", token, broken);
            assertThat(updated.json().get("release").asInt()).isEqualTo(2);

            JsonNode failed = awaitRelease(token, "fragile", 2, "failed");

            assertThat(failed.get("status_message").asText())
                    .contains("exited")
                    .contains("exited with code 1")
                    .contains("its last log lines")
                    .contains("emp.NoSuchMain")
                    .endsWith("'fragile' goes back to release v1, which keeps serving");
            JsonNode back = awaitRelease(token, "fragile", 3, "succeeded");
            assertThat(back.get("rollback_of").asInt()).isEqualTo(1);
            assertThat(back.get("by").asText()).isEqualTo("emp");
            assertThat(back.get("description").asText()).isEqualTo("automatic rollback to v1: v2 failed");
            int before = served.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> served.get() > before + 10);
        } finally {
            running.set(false);
            load.join();
        }
        assertThat(failures).as("requests that got no 'steady' answer").isEmpty();
        assertThat(server.send("GET", "/v1/apps/fragile/events", token, null).body())
                .contains("release v2 failed, rolled back to v1 as v3");
        JsonNode app = server.send("GET", "/v1/apps/fragile", token, null).json();
        assertThat(app.get("release").asInt()).isEqualTo(3);
        assertThat(app.get("spec").get("command").toString()).contains("-jar");
        assertThat(server.send("DELETE", "/v1/apps/fragile", token, null).status())
                .isEqualTo(204);
    }

    @Test
    void aRollingUpdateAndARollingRestartUnderSteadyLoadFailNoRequest() throws Exception {
        String token = newUser();
        String url = deploy(
                token,
                "busy",
                greeting("old") + ", \"replicas\": 3, \"rollout\": {\"max_surge\": 1, \"max_unavailable\": \"0\"}");
        assertThat(server.send("GET", "/v1/apps/busy", token, null)
                        .json()
                        .get("spec")
                        .get("rollout")
                        .toString())
                .isEqualTo("{\"max_surge\":\"1\",\"max_unavailable\":\"0\"}");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> server.send("GET", "/v1/apps/busy", token, null)
                                .json()
                                .path("replicas")
                                .path("ready")
                                .asInt()
                        == 3);
        Load load = new Load(url, 3);
        try {
            load.awaitAnswers(30);

            // a rolling update: every answer is the old greeting, then the new one, nothing in between
            server.send("PATCH", "/v1/apps/busy/config", token, "{\"set\": {\"GREETING\": \"new\"}}");
            awaitRelease(token, "busy", 2, "succeeded");
            load.awaitAnswers(30);
            List<String> during = load.answers();
            assertThat(during).contains("old", "new");
            assertThat(during.subList(during.size() - 10, during.size())).containsOnly("new");

            // a rolling restart: every replica replaced, nobody's request failing
            List<String> before = instanceIds(token, "busy");
            assertThat(server.send("POST", "/v1/apps/busy/restart", token, null).status())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                List<String> now = instanceIds(token, "busy");
                return now.size() == 3 && now.stream().noneMatch(before::contains);
            });
            load.awaitAnswers(30);
        } finally {
            load.stop();
        }
        assertThat(load.failures())
                .as("failed requests out of " + load.answers().size())
                .isEmpty();
        assertThat(load.answers()).containsOnly("old", "new");
        assertThat(server.send("DELETE", "/v1/apps/busy", token, null).status()).isEqualTo(204);
    }

    private static List<String> instanceIds(String token, String app) {
        List<String> ids = new ArrayList<>();
        server.send("GET", "/v1/apps/" + app, token, null)
                .json()
                .get("instances")
                .forEach(instance -> {
                    if (instance.path("state").asText().equals("ready")) {
                        ids.add(instance.get("id").asText());
                    }
                });
        return ids;
    }

    /** Clients that call the app without pause, some through a slow path (in flight while replicas drain). */
    private static final class Load {
        private final List<Thread> threads = new ArrayList<>();
        private final List<String> answers = new ArrayList<>();
        private final List<String> failures = new ArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);

        Load(String url, int clients) {
            for (int i = 0; i < clients; i++) {
                String target = i == 0 ? (url.endsWith("/") ? url : url + "/") + "sleep?ms=300" : url;
                Thread thread = new Thread(() -> {
                    while (running.get()) {
                        String greeting = greetingAt(target);
                        synchronized (answers) {
                            if (greeting.equals("old") || greeting.equals("new")) {
                                answers.add(greeting);
                            } else {
                                failures.add(greeting);
                            }
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
        }

        void awaitAnswers(int more) {
            int before = answers().size();
            await().atMost(Duration.ofSeconds(30)).until(() -> answers().size() >= before + more);
        }

        List<String> answers() {
            synchronized (answers) {
                return List.copyOf(answers);
            }
        }

        List<String> failures() {
            synchronized (answers) {
                return List.copyOf(failures);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }

    @Test
    void anotherUsersAppsReleasesConfigAndSecretsAreNoneOfYourBusiness() {
        String owner = checker();
        String stranger = newUser();
        for (String[] request : new String[][] {
            {"GET", "/v1/apps/checked/releases", null},
            {"GET", "/v1/apps/checked/releases/1", null},
            {"POST", "/v1/apps/checked/rollback", "{}"},
            {"GET", "/v1/apps/checked/config", null},
            {"PATCH", "/v1/apps/checked/config", "{\"set\": {\"A\": \"1\"}}"},
            {"GET", "/v1/apps/checked/secrets", null},
            {"PATCH", "/v1/apps/checked/secrets", "{\"set\": {\"A\": \"1\"}}"}
        }) {
            Reply foreign = server.send(request[0], request[1], stranger, request[2]);
            assertThat(foreign.status()).as(request[0] + " " + request[1]).isEqualTo(404);
            assertThat(foreign.detail()).contains("you have no app");
            assertThat(server.send(request[0], request[1], null, request[2]).status())
                    .as("no token: " + request[0] + " " + request[1])
                    .isEqualTo(401);
        }
        assertThat(server.send("GET", "/v1/apps/checked/releases", owner, null).list())
                .as("the owner's app is untouched")
                .hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "PATCH|/v1/apps/checked/config|{\"set\": {\"9LIVES\": \"x\"}}|400|not a variable name",
                "PATCH|/v1/apps/checked/config|{\"set\": {\"PORT\": \"1\"}}|400|set by the platform",
                "PATCH|/v1/apps/checked/secrets|{\"set\": {\"EMP_TOKEN\": \"1\"}}|400|set by the platform",
                "PATCH|/v1/apps/checked/config|{\"set\": {\"A\": \"1\"}, \"unset\": [\"A\"]}|400|both set and unset",
                "PATCH|/v1/apps/checked/config|{}|400|sets and unsets nothing",
                "PATCH|/v1/apps/checked/config|{\"set\": {\"A\": null}}|400|has no value",
                "PATCH|/v1/apps/checked/config|{\"sets\": {}}|400|unknown field 'sets'",
                "PATCH|/v1/apps/checked/secrets|[1]|400|wrong shape",
                "POST|/v1/apps/checked/rollback|{\"version\": 9}|404|has no release v9",
                "POST|/v1/apps/checked/rollback|{\"version\": 1}|409|runs v1 now",
                "POST|/v1/apps/checked/rollback|{}|409|no release before v1",
                "POST|/v1/apps/checked/rollback|{\"version\": 0}|400|numbered from 1",
                "GET|/v1/apps/checked/releases/x1|-|400|not a release version",
                "GET|/v1/apps/checked/releases?limit=0|-|400|from 1 to 100",
                "GET|/v1/apps/nobody/releases|-|404|no app",
            })
    void badChangesAreRefusedAndChangeNothing(String method, String path, String body, int status, String what) {
        String token = checker();

        Reply reply = server.send(method, path, token, body.equals("-") ? null : body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.detail()).contains(what);
        assertThat(server.send("GET", "/v1/apps/checked/releases", token, null).list())
                .hasSize(1);
    }

    private static String checkerToken;

    /** One user with one app, stopped, that every bad change is tried on. */
    private static synchronized String checker() {
        if (checkerToken == null) {
            checkerToken = newUser();
            assertThat(server.send("POST", "/v1/apps", checkerToken, TestServer.helloSpec("checked", ""))
                            .status())
                    .isEqualTo(201);
            assertThat(server.send("POST", "/v1/apps/checked/stop", checkerToken, null)
                            .status())
                    .isEqualTo(200);
        }
        return checkerToken;
    }

    private static String greeting(String value) {
        return "\"envs\": [{\"name\": \"GREETING\", \"value\": \"" + value + "\"}]";
    }

    /** Deploys examples/hello and answers its URL once a replica is ready. */
    private static String deploy(String token, String name, String fields) {
        Reply deployed = server.send("PUT", "/v1/apps", token, TestServer.helloSpec(name, fields));
        assertThat(deployed.status()).as(deployed.body()).isEqualTo(200);
        assertThat(deployed.json().get("release").asInt()).isEqualTo(1);
        JsonNode[] app = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    app[0] = server.send("GET", "/v1/apps/" + name, token, null).json();
                    return app[0].path("state").asText().equals("running");
                });
        return app[0].get("url").asText();
    }

    private static JsonNode awaitRelease(String token, String app, int version, String status) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    last[0] = server.send("GET", "/v1/apps/" + app + "/releases/" + version, token, null)
                            .json();
                    return status.equals(last[0].path("status").asText());
                });
        return last[0];
    }

    /** The greeting the app answers with, or what went wrong. */
    private static String greetingAt(String url) {
        try {
            HttpResponse<String> response = TestServer.call(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10))
                    .build());
            if (response.statusCode() != 200) {
                return "status " + response.statusCode() + ": " + response.body();
            }
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(response.body())
                    .path("message")
                    .asText();
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
    }

    private static boolean storeFilesHold(String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (indexOf(Files.readAllBytes(file), needle) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
