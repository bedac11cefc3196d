package emp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppCommandsTest {
    @TempDir
    Path home;

    private FakeEmpServer server;
    private CliRunner emp;

    @BeforeEach
    void start() throws Exception {
        server = new FakeEmpServer();
        emp = new CliRunner(home).env("EMP_SERVER", server.url()).env("EMP_TOKEN", "tok");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void listPrintsAnAlignedTable() {
        server.on(
                "GET",
                "/v1/apps",
                200,
                "[" + Apps.json(Apps.app("hello", "running", 2, 2)) + ","
                        + Apps.json(Apps.app("songs-api", "pending", 3, 1)) + "]");

        CliRunner.Result result = emp.run("list");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .isEqualTo(""
                        + "ID            NAME       STATE    READY  URL\n"
                        + "id-hello      hello      running  2/2    http://127.0.0.1:8080/alice/hello/\n"
                        + "id-songs-api  songs-api  pending  1/3    http://127.0.0.1:8080/alice/songs-api/\n");
    }

    @Test
    void outputJsonPrintsTheServersJsonPrettyAndUnchanged() throws Exception {
        String apps = "["
                + Apps.json(Apps.app("hello", "running", 1, 1)).replace("}", ",\"future_field\":{\"x\":1.50}}") + "]";
        server.on("GET", "/v1/apps", 200, apps);

        CliRunner.Result result = emp.run("list", "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Json.MAPPER.readTree(result.out())).isEqualTo(Json.MAPPER.readTree(apps));
        assertThat(result.out())
                .startsWith("[\n  {\n    \"id\": \"id-hello\",\n")
                .contains("\"x\": 1.50");
    }

    @Test
    void infoShowsTheAppAndItsInstances() {
        server.on("GET", "/v1/apps/hello", 200, Apps.json(Apps.app("hello", "running", 2, 1)));

        CliRunner.Result result = emp.run("info", "hello");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("Name:     hello\n")
                .contains("State:    running\n")
                .contains("Ready:    1/2 replicas\n")
                .contains("URL:      http://127.0.0.1:8080/alice/hello/\n")
                .contains("Targets:  latency_p95_ms=200\n")
                .contains("INSTANCE  STATE     ENDPOINT         PID   RESTARTS\n"
                        + "hello-1   ready     127.0.0.1:41000  5000  0\n"
                        + "hello-2   starting  127.0.0.1:41001  5001  0\n");
    }

    @Test
    void aMissingAppPrintsTheProblemDetailAndExitsOne() {
        server.on(
                "GET",
                "/v1/apps/nope",
                request -> FakeEmpServer.problem(
                        404, "Not Found", "app 'nope' does not exist; 'emp list' shows your apps"));

        CliRunner.Result result = emp.run("info", "nope");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("emp: error: app 'nope' does not exist; 'emp list' shows your apps\n");
    }

    @Test
    void aServerErrorExitsThreeAndAProblemWithoutDetailShowsItsTitle() {
        server.on(
                "GET",
                "/v1/apps",
                request -> new FakeEmpServer.Response(
                        503,
                        "application/problem+json",
                        "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503}"));

        CliRunner.Result result = emp.run("list");

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).isEqualTo("emp: error: Service Unavailable (HTTP 503)\n");
    }

    @Test
    void anExpiredSessionSaysToLogInAgain() {
        server.on("GET", "/v1/apps", request -> FakeEmpServer.problem(401, "Unauthorized", "the token has expired"));

        CliRunner.Result result = emp.run("list");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .isEqualTo("emp: error: the token has expired\n"
                        + "emp: the session may have ended; log in again with 'emp login'\n");
    }

    @Test
    void aServerThatIsNotThereIsReportedAsNotReachableWithExitTwo() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;

        CliRunner.Result result = emp.run("list", "--server", url);

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .contains("emp: error: the server at " + url + " is not reachable")
                .contains("emp server");
    }

    @Test
    void removeDoesNotPromptWithoutATerminal() {
        server.on("DELETE", "/v1/apps/hello", request -> FakeEmpServer.noContent());

        CliRunner.Result kept = emp.run("remove", "hello");
        CliRunner.Result purged = emp.run("remove", "hello", "--purge");

        assertThat(kept.exitCode()).as(kept.err()).isZero();
        assertThat(purged.exitCode()).as(purged.err()).isZero();
        assertThat(server.requests("DELETE", "/v1/apps/hello"))
                .extracting(FakeEmpServer.Request::query)
                .containsExactly("purge=false", "purge=true");
        assertThat(kept.out()).isEqualTo("App 'hello' removed.\n");
    }

    @Test
    void removeAsksAtATerminalUnlessTold() {
        server.on("DELETE", "/v1/apps/hello", request -> FakeEmpServer.noContent());
        SessionCommandsTest.ScriptedPrompter declines = new SessionCommandsTest.ScriptedPrompter("n");

        CliRunner.Result declined = emp.interactive(declines).run("remove", "hello");

        assertThat(declines.prompts).containsExactly("line:Remove app 'hello'? [y/N] ");
        assertThat(declined.exitCode()).isEqualTo(1);
        assertThat(declined.err()).contains("app 'hello' was not removed");
        assertThat(server.requests()).isEmpty();

        SessionCommandsTest.ScriptedPrompter accepts = new SessionCommandsTest.ScriptedPrompter("y");
        assertThat(emp.interactive(accepts).run("remove", "hello").exitCode()).isZero();
        SessionCommandsTest.ScriptedPrompter unasked = new SessionCommandsTest.ScriptedPrompter();
        assertThat(emp.interactive(unasked).run("remove", "hello", "--yes").exitCode())
                .isZero();
        assertThat(unasked.prompts).isEmpty();
        assertThat(server.requests("DELETE", "/v1/apps/hello")).hasSize(2);
    }

    @Test
    void scaleSendsTheCountAndReason() throws Exception {
        server.on("PUT", "/v1/apps/hello/replicas", 200, Apps.json(Apps.app("hello", "running", 3, 1)));

        CliRunner.Result result = emp.run("scale", "hello", "3", "--reason", "load test");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Json.MAPPER.readTree(
                        server.requests("PUT", "/v1/apps/hello/replicas").get(0).body()))
                .isEqualTo(Json.MAPPER.readTree("{\"replicas\":3,\"reason\":\"load test\"}"));
        assertThat(result.out()).isEqualTo("hello scaled to 3 replicas (1/3 ready now).\n");
    }

    @Test
    void usageErrorsExitTwoWithPicocliMessage() {
        CliRunner.Result notANumber = emp.run("scale", "hello", "many");
        CliRunner.Result negative = emp.run("scale", "hello", "-1");
        CliRunner.Result unknown = emp.run("deploi", "x.json");

        assertThat(notANumber.exitCode()).isEqualTo(2);
        assertThat(notANumber.err()).contains("'many' is not an int");
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unmatched argument").contains("deploy");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void restartAsksForARollingRestart() {
        server.on("POST", "/v1/apps/hello/restart", 200, Apps.json(Apps.app("hello", "running", 2, 2)));

        CliRunner.Result result = emp.run("restart", "hello");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(server.requests("POST", "/v1/apps/hello/restart")).hasSize(1);
        assertThat(result.out())
                .isEqualTo("hello restarting: new replicas replace the 2/2 ready; 'emp events hello' shows the"
                        + " rollout\n");
    }

    @Test
    void stopStartAndUpdateMetricsWithItsOriginalAlias() throws Exception {
        server.on("POST", "/v1/apps/hello/stop", 200, Apps.json(Apps.app("hello", "stopped", 0, 0)));
        server.on("POST", "/v1/apps/hello/start", 200, Apps.json(Apps.app("hello", "pending", 2, 0)));
        server.on(
                "PUT",
                "/v1/apps/hello/quality-metrics/latency_p95_ms",
                200,
                Apps.json(Apps.app("hello", "running", 2, 2)));

        CliRunner.Result stopped = emp.run("stop", "hello");
        CliRunner.Result started = emp.run("start", "hello", "-o", "json");
        CliRunner.Result updated = emp.run("update_metrics", "hello", "latency_p95_ms", "150");

        assertThat(stopped.out()).isEqualTo("hello stopped.\n");
        assertThat(Json.MAPPER.readTree(started.out()).path("state").asText()).isEqualTo("pending");
        assertThat(updated.exitCode()).as(updated.err()).isZero();
        assertThat(updated.out()).isEqualTo("hello: latency_p95_ms target set to 150.\n");
        assertThat(Json.MAPPER.readTree(server.requests("PUT", "/v1/apps/hello/quality-metrics/latency_p95_ms")
                        .get(0)
                        .body()))
                .isEqualTo(Json.MAPPER.readTree("{\"values\":\"150\"}"));
    }

    @Test
    void eventsPrintsATableAndFollowPrintsOnlyNewOnes() throws Exception {
        CopyOnWriteArrayList<String> events = new CopyOnWriteArrayList<>();
        events.add(
                "{\"seq\":1,\"time\":\"2025-01-02T03:04:05Z\",\"type\":\"deployed\",\"message\":\"app 'hello' deployed\"}");
        events.add(
                "{\"seq\":2,\"time\":\"2025-01-02T03:04:06Z\",\"type\":\"scaled\",\"message\":\"2 -> 3: p95 320ms > 200ms\"}");
        server.on(
                "GET",
                "/v1/apps/hello/events",
                request -> FakeEmpServer.json(200, "[" + String.join(",", events) + "]"));

        CliRunner.Result table = emp.run("events", "hello", "--limit", "2");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out())
                .startsWith("TIME                 TYPE      MESSAGE\n")
                .contains("  deployed  app 'hello' deployed\n")
                .contains("  scaled    2 -> 3: p95 320ms > 200ms\n");
        assertThat(server.requests("GET", "/v1/apps/hello/events").get(0).query())
                .isEqualTo("limit=2");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CliContext context = CliContext.of(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        System.err,
                        new ByteArrayInputStream(new byte[0]),
                        Map.of("EMP_HOME", home.toString(), "EMP_SERVER", server.url(), "EMP_TOKEN", "tok"),
                        false,
                        new ConsolePrompter())
                .withPollInterval(Duration.ofMillis(50));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread follower = new Thread(() -> exit.set(EmpMain.run(context, "events", "hello", "-f", "-o", "json")));
        follower.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> out.toString(StandardCharsets.UTF_8).contains("\"seq\":2"));
        events.add(
                "{\"seq\":3,\"time\":\"2025-01-02T03:04:07Z\",\"type\":\"crashed\",\"message\":\"hello-2 exited with 1\"}");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> out.toString(StandardCharsets.UTF_8).contains("\"seq\":3"));
        follower.interrupt();
        follower.join(10_000);

        assertThat(exit.get()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines())
                .extracting(line -> Json.MAPPER.readTree(line).path("seq").asInt())
                .containsExactly(1, 2, 3);
    }

    @Test
    void logsPrefixEachLineWithItsInstance() {
        server.on(
                "GET",
                "/v1/apps/hello/logs",
                200,
                "[{\"instance\":\"hello-1\",\"line\":\"listening on 41000\"},{\"instance\":\"hello-10\",\"line\":\"GET /\"}]");

        CliRunner.Result result = emp.run("logs", "hello", "--tail", "5");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("hello-1  | listening on 41000\nhello-10 | GET /\n");
        assertThat(server.requests("GET", "/v1/apps/hello/logs").get(0).query()).isEqualTo("tail=5");
    }

    @Test
    void pluginsMarkTheActiveExtensions() {
        server.on(
                "GET",
                "/v1/plugins",
                200,
                "[{\"id\":\"store-file\",\"version\":\"0.1.0\",\"state\":\"STARTED\",\"staged\":\"0.2.0\","
                        + "\"description\":\"d\",\"extensions\":[{\"point\":\"store\",\"name\":\"file\",\"active\":true}]},"
                        + "{\"id\":\"cluster-local\",\"version\":\"0.1.0\",\"state\":\"STARTED\",\"description\":\"d\",\"extensions\":["
                        + "{\"point\":\"cluster\",\"name\":\"local\",\"active\":true},{\"point\":\"tracing\",\"name\":\"gateway\",\"active\":false}]}]");

        CliRunner.Result result = emp.run("plugins");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .isEqualTo(""
                        + "ID             VERSION  STATE    EXTENSIONS                       NEXT START\n"
                        + "store-file     0.1.0    STARTED  store:file*                      version 0.2.0\n"
                        + "cluster-local  0.1.0    STARTED  cluster:local*, tracing:gateway  -\n"
                        + "\n"
                        + "* active: the extension the server uses for its point\n");
    }

    @Test
    void operatorsInstallRemoveAndChoosePlugins() throws Exception {
        java.nio.file.Path jar =
                java.nio.file.Files.write(home.resolve("fixed-1.0.0.jar"), new byte[] {'P', 'K', 3, 4});
        server.on(
                "POST",
                "/v1/plugins",
                201,
                "{\"id\":\"fixed\",\"version\":\"1.0.0\",\"outcome\":\"installed\","
                        + "\"extensions\":[{\"point\":\"scheduler\",\"name\":\"fixed\"}]}");
        server.on("PUT", "/v1/plugins/active/scheduler", 200, "{\"point\":\"scheduler\",\"name\":\"fixed\"}");
        server.on("DELETE", "/v1/plugins/old", request -> FakeEmpServer.noContent());

        CliRunner.Result installed = emp.run("plugins", "install", jar.toString());
        CliRunner.Result used = emp.run("plugins", "use", "scheduler", "fixed");
        CliRunner.Result removed = emp.run("plugins", "remove", "old");
        CliRunner.Result missing =
                emp.run("plugins", "install", home.resolve("nothing.jar").toString());

        assertThat(installed.exitCode()).as(installed.err()).isZero();
        assertThat(installed.out())
                .isEqualTo(
                        "installed plugin 'fixed' 1.0.0: scheduler 'fixed'; 'emp plugins use POINT NAME' chooses one\n");
        FakeEmpServer.Request upload = server.requests("POST", "/v1/plugins").get(0);
        assertThat(upload.contentType()).isEqualTo("application/java-archive");
        assertThat(upload.body()).startsWith("PK");
        assertThat(used.out()).isEqualTo("scheduler 'fixed' is active\n");
        assertThat(server.requests("PUT", "/v1/plugins/active/scheduler").get(0).body())
                .isEqualTo("{\"name\":\"fixed\"}");
        assertThat(removed.out()).isEqualTo("removed plugin 'old'\n");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("nothing.jar").contains("does not exist");
    }

    @Test
    void loadShowsWhatWaitsAndTheLastSeconds() throws Exception {
        StringBuilder seconds = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            seconds.append(i == 0 ? "" : ",")
                    .append("{\"arrivals\":")
                    .append(30 + i)
                    .append(",\"completions\":20,\"rejected\":0,\"mean_in_flight\":1.0,\"mean_queued\":4.5,")
                    .append("\"service_ms\":50.0}");
        }
        server.on(
                "GET",
                "/v1/apps/leaf/load",
                200,
                "{\"seconds\":[" + seconds + "],\"in_flight\":1,\"queued\":7,\"oldest_queued_ms\":350.0,"
                        + "\"limit_per_replica\":2,\"limit_learned\":true}");

        CliRunner.Result table = emp.run("load", "leaf", "--seconds", "3");

        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out())
                .contains(
                        "leaf: 7 waiting (the oldest for 350.0 ms), 1 in flight; at most 2 at once per replica (learned)")
                .contains("ARRIVED")
                .contains("41")
                .doesNotContain(" 38 ")
                .contains("50.0 ms");
        assertThat(table.out().lines().filter(line -> line.startsWith("-"))).hasSize(3);
        assertThat(emp.run("load", "leaf", "-o", "json").out()).contains("\"queued\": 7");
        assertThat(emp.run("load", "leaf", "--seconds", "0").err()).contains("--seconds is 0; give 1 to 60");
    }

    @Test
    void tracingShowsTheFiguresAndTheCallsToOtherApps() throws Exception {
        server.on(
                "GET",
                "/v1/apps/aggregator/tracing",
                200,
                "{\"app\":\"alice/aggregator\",\"window_seconds\":10.0,\"spans\":125,\"rate\":12.5,\"error_rate\":0.008,"
                        + "\"p50_ms\":40.2,\"p95_ms\":180.0,\"p99_ms\":250.5,\"self_ms\":12.25,\"concurrency\":1.5,"
                        + "\"edges\":[{\"to\":\"alice/songs\",\"rate\":12.5,\"error_rate\":0.0,\"p95_ms\":150.0}],"
                        + "\"trace_url\":\"http://127.0.0.1:9411/zipkin/?serviceName=alice%2Faggregator\"}");

        CliRunner.Result table = emp.run("tracing", "aggregator");

        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out())
                .contains("alice/aggregator: 125 requests in the last 10 s")
                .contains("12.50/s")
                .contains("0.8%")
                .contains("180.0 ms")
                .contains("CALLS TO")
                .contains("alice/songs")
                .contains("150.0 ms")
                .contains("Traces: http://127.0.0.1:9411/zipkin/?serviceName=alice%2Faggregator");
        assertThat(emp.run("tracing", "aggregator", "-o", "json").out()).contains("\"p95_ms\": 180.0");

        server.on(
                "GET",
                "/v1/apps/aggregator/tracing",
                request -> FakeEmpServer.problem(404, "Not Found", "you have no app with id or name 'aggregator'"));
        CliRunner.Result missing = emp.run("tracing", "aggregator");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("emp: error: you have no app with id or name 'aggregator'\n");
    }

    @Test
    void versionPrintsTheProjectVersion() {
        CliRunner.Result result = emp.run("--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("emp 0.");
    }

    @Test
    void appIdsAreEscapedAsOnePathSegment() {
        server.on("GET", "/v1/apps/a%2Fb%20c", 200, Apps.json(Apps.app("x", "running", 0, 0)));

        CliRunner.Result result = emp.run("info", "a/b c", "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode app = Json.parse(result.out(), "test");
        assertThat(app.path("name").asText()).isEqualTo("x");
    }
}
