package emp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployCommandTest {
    private static final String SYSTEM =
            "[\n  {\"name\": \"hello\", \"command\": [\"java\", \"-jar\", \"hello.jar\"], \"replicas\": 2},\n"
                    + "  {\"name\": \"songs\", \"docker_image\": \"songs:1\"}\n]\n";

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
    void deployingAListPostsTheFileVerbatimAndWaitsUntilEveryAppIsReady() throws Exception {
        Path file = Files.writeString(home.resolve("system.json"), SYSTEM);
        server.on(
                "PUT",
                "/v1/apps",
                200,
                "[" + Apps.json(Apps.app("hello", "pending", 2, 0)) + ","
                        + Apps.json(Apps.app("songs", "pending", 1, 0)) + "]");
        AtomicInteger helloPolls = new AtomicInteger();
        server.on("GET", "/v1/apps/id-hello", request -> {
            int poll = helloPolls.incrementAndGet();
            return FakeEmpServer.json(200, Apps.json(Apps.app("hello", "running", 2, poll < 2 ? 0 : poll < 4 ? 1 : 2)));
        });
        AtomicInteger songsPolls = new AtomicInteger();
        server.on(
                "GET",
                "/v1/apps/id-songs",
                request -> FakeEmpServer.json(
                        200, Apps.json(Apps.app("songs", "running", 1, songsPolls.incrementAndGet() < 2 ? 0 : 1))));

        CliRunner.Result result = emp.run("deploy", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(server.requests("PUT", "/v1/apps")).singleElement().satisfies(request -> {
            assertThat(request.body()).isEqualTo(SYSTEM);
            assertThat(request.authorization()).isEqualTo("Bearer tok");
        });
        assertThat(helloPolls.get()).isEqualTo(4);
        // A ready app is not polled again.
        assertThat(songsPolls.get()).isEqualTo(2);
        assertThat(result.out())
                .doesNotContain("\r")
                .containsSubsequence("hello: 0/2 ready", "hello: 1/2 ready", "hello: 2/2 ready")
                .containsOnlyOnce("hello: 1/2 ready")
                .endsWith("hello deployed: 2/2 ready at http://127.0.0.1:8080/alice/hello/\n"
                        + "songs deployed: 1/1 ready at http://127.0.0.1:8080/alice/songs/\n");
    }

    @Test
    void aRedeploySaysWhichAppsItUpdatedAndWhichWereTheSame() throws Exception {
        Path file = Files.writeString(home.resolve("system.json"), SYSTEM);
        server.on(
                "PUT",
                "/v1/apps",
                200,
                "[" + Apps.json(Apps.app("hello", "running", 2, 2).put("change", "updated")) + ","
                        + Apps.json(Apps.app("songs", "running", 1, 1).put("change", "unchanged")) + "]");

        CliRunner.Result result = emp.run("deploy", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .endsWith("hello updated: 2/2 ready at http://127.0.0.1:8080/alice/hello/\n"
                        + "songs unchanged: 1/1 ready at http://127.0.0.1:8080/alice/songs/\n");
    }

    @Test
    void onATerminalProgressIsOneLineRedrawnInPlace() throws Exception {
        Path file = Files.writeString(home.resolve("hello.json"), "{\"name\": \"hello\"}");
        server.on("PUT", "/v1/apps", 200, Apps.json(Apps.app("hello", "pending", 1, 0)));
        AtomicInteger polls = new AtomicInteger();
        server.on(
                "GET",
                "/v1/apps/id-hello",
                request -> FakeEmpServer.json(
                        200, Apps.json(Apps.app("hello", "running", 1, polls.incrementAndGet() < 3 ? 0 : 1))));

        CliRunner.Result result =
                emp.interactive(new SessionCommandsTest.ScriptedPrompter()).run("deploy", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("\r| hello 0/1 ready")
                .contains("\r/ hello 0/1 ready")
                .endsWith("\rhello deployed: 1/1 ready at http://127.0.0.1:8080/alice/hello/\n");
    }

    @Test
    void noWaitReturnsRightAfterThePut() throws Exception {
        Path file = Files.writeString(home.resolve("hello.json"), "{\"name\": \"hello\"}");
        server.on("PUT", "/v1/apps", 200, Apps.json(Apps.app("hello", "pending", 1, 0)));

        CliRunner.Result result = emp.run("deploy", "--no-wait", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("hello accepted: 0/1 ready");
        assertThat(server.requests()).extracting(FakeEmpServer.Request::method).containsExactly("PUT");
    }

    @Test
    void theSpecFilesFolderReplacesEmpSpecDirAndNothingElse() throws Exception {
        Path folder = Files.createDirectories(home.resolve("my \"apps\""));
        Path file = Files.writeString(
                folder.resolve("hello.json"),
                "{\"name\": \"hello\", \"command\": [\"java\", \"-jar\", \"${EMP_SPEC_DIR}/hello.jar\", \"${PORT}\"]}");
        server.on("PUT", "/v1/apps", 200, Apps.json(Apps.app("hello", "pending", 1, 0)));

        CliRunner.Result result = emp.run("deploy", "--no-wait", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        String sent = server.requests("PUT", "/v1/apps").get(0).body();
        String expectedJar =
                folder.toAbsolutePath().resolve("hello.jar").toString().replace("\"", "\\\"");
        assertThat(sent)
                .contains("\"" + expectedJar + "\"")
                .contains("\"${PORT}\"")
                .doesNotContain("EMP_SPEC_DIR");
    }

    @Test
    void aDeployThatIsNeverReadyTimesOutNamingTheAppAndReportsEachCrashOnce() throws Exception {
        Path file = Files.writeString(home.resolve("hello.json"), "{\"name\": \"hello\"}");
        server.on("PUT", "/v1/apps", 200, Apps.json(Apps.app("hello", "pending", 1, 0)));
        AtomicInteger polls = new AtomicInteger();
        server.on("GET", "/v1/apps/id-hello", request -> {
            ObjectNode app = Apps.app("hello", "running", 1, 0);
            if (polls.incrementAndGet() >= 2) {
                ((ObjectNode) app.path("instances").get(0))
                        .put("state", "crashed")
                        .put("restarts", 1);
            }
            return FakeEmpServer.json(200, Apps.json(app));
        });

        CliRunner.Result result = emp.run("deploy", "--timeout", "600ms", file.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(polls.get()).isGreaterThan(2);
        assertThat(result.out()).containsOnlyOnce("hello: replica hello-1 crashed (restarts: 1); still waiting");
        assertThat(result.err())
                .isEqualTo("emp: error: app 'hello' is not ready after 600ms: 0/1 replicas ready; "
                        + "see 'emp events hello' and 'emp logs hello'\n");
    }

    @Test
    void deployReadsStdinAndPrintsTheReadyAppsJsonWithProgressOnStderr() throws Exception {
        String spec =
                "{\"name\": \"hello\", \"quality_metrics\": [{\"metric\": \"availability\", \"values\": \"99.90\"}]}";
        server.on("PUT", "/v1/apps", 200, Apps.json(Apps.app("hello", "pending", 1, 0)));
        server.on("GET", "/v1/apps/id-hello", request -> {
            ObjectNode app = Apps.app("hello", "running", 1, 1);
            app.put("score", new java.math.BigDecimal("99.90"));
            return FakeEmpServer.json(200, Apps.json(app));
        });

        CliRunner.Result result = emp.stdin(spec).run("deploy", "-", "-o", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(server.requests("PUT", "/v1/apps").get(0).body()).isEqualTo(spec);
        JsonNode printed = Json.MAPPER.readTree(result.out());
        assertThat(printed.path("replicas").path("ready").asInt()).isEqualTo(1);
        // Printed as the server sent it: the number keeps its trailing zero.
        assertThat(result.out()).contains("\"score\": 99.90").contains("\n  \"name\": \"hello\",\n");
        assertThat(result.err()).contains("hello: 0/1 ready").contains("hello: 1/1 ready");
    }

    @Test
    void aCreatedOrUpdatedAppIsWaitedForUntilItsReleaseSucceedsAndAnUnchangedOneIsNot() throws Exception {
        Path file = Files.writeString(home.resolve("system.json"), SYSTEM);
        server.on(
                "PUT",
                "/v1/apps",
                200,
                "["
                        + Apps.json(Apps.app("hello", "running", 2, 2)
                                .put("change", "updated")
                                .put("release", 4)) + ","
                        + Apps.json(Apps.app("songs", "running", 1, 1)
                                .put("change", "unchanged")
                                .put("release", 7))
                        + "]");
        AtomicInteger releasePolls = new AtomicInteger();
        server.on("GET", "/v1/apps/id-hello/releases/4", request -> {
            String status = releasePolls.incrementAndGet() < 3 ? "pending" : "succeeded";
            return FakeEmpServer.json(200, Apps.json(Releases.release("hello", 4, status, "changed envs")));
        });
        server.on(
                "GET",
                "/v1/apps/id-hello",
                request -> FakeEmpServer.json(
                        200, Apps.json(Apps.app("hello", "running", 2, releasePolls.get() == 2 ? 1 : 2))));

        CliRunner.Result result = emp.run("deploy", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        // Ready replicas of the old release do not end the wait; the release's status does.
        assertThat(releasePolls.get()).isEqualTo(3);
        assertThat(server.requests())
                .extracting(FakeEmpServer.Request::path)
                .noneMatch(path -> path.startsWith("/v1/apps/id-songs"));
        assertThat(result.out())
                .containsSubsequence("hello: 2/2 ready", "hello: 1/2 ready", "hello: 2/2 ready")
                .doesNotContain("songs:")
                .endsWith("hello updated: 2/2 ready at http://127.0.0.1:8080/alice/hello/\n"
                        + "songs unchanged: 1/1 ready at http://127.0.0.1:8080/alice/songs/\n");
    }

    @Test
    void aReleaseThatFailsExitsOneWithTheServersReason() throws Exception {
        Path file = Files.writeString(home.resolve("hello.json"), "{\"name\": \"hello\"}");
        server.on(
                "PUT",
                "/v1/apps",
                200,
                Apps.json(Apps.app("hello", "running", 1, 1)
                        .put("change", "updated")
                        .put("release", 4)));
        server.on("GET", "/v1/apps/id-hello", 200, Apps.json(Apps.app("hello", "running", 1, 1)));
        server.on(
                "GET",
                "/v1/apps/id-hello/releases/4",
                200,
                Apps.json(Releases.release("hello", 4, "failed", "changed command")
                        .put(
                                "status_message",
                                "replica hello-1 exited with code 1 before it was ready; its last lines:\n"
                                        + "Exception in thread \"main\" java.lang.IllegalStateException: no DB_URL\n"
                                        + "\tat Main.main(Main.java:3)\n")));

        CliRunner.Result result = emp.run("deploy", file.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).doesNotContain("hello updated");
        assertThat(result.err())
                .isEqualTo("emp: error: release v4 of 'hello' failed: replica hello-1 exited"
                        + " with code 1 before it was ready; its last lines:\n"
                        + "emp: Exception in thread \"main\" java.lang.IllegalStateException: no DB_URL\n"
                        + "emp: \tat Main.main(Main.java:3)\n"
                        + "emp: see 'emp logs hello' and 'emp events hello', fix the app and deploy again\n");
    }

    @Test
    void aReleaseThatASecondOneSupersededIsSaidAndIsNoFailure() throws Exception {
        Path file = Files.writeString(home.resolve("hello.json"), "{\"name\": \"hello\"}");
        server.on(
                "PUT",
                "/v1/apps",
                200,
                Apps.json(Apps.app("hello", "running", 1, 0)
                        .put("change", "created")
                        .put("release", 1)));
        server.on("GET", "/v1/apps/id-hello", 200, Apps.json(Apps.app("hello", "running", 1, 0)));
        server.on(
                "GET",
                "/v1/apps/id-hello/releases/1",
                200,
                Apps.json(Releases.release("hello", 1, "superseded", "created")));

        CliRunner.Result result = emp.run("deploy", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .endsWith("release v1 of 'hello' was superseded by a later release before it finished rolling out;"
                        + " 'emp releases hello' lists them\n");
    }

    @Test
    void aReleaseStillRollingOutAtTheTimeoutSaysWhereToFollowIt() throws Exception {
        Path file = Files.writeString(home.resolve("hello.json"), "{\"name\": \"hello\"}");
        server.on(
                "PUT",
                "/v1/apps",
                200,
                Apps.json(Apps.app("hello", "running", 1, 1)
                        .put("change", "updated")
                        .put("release", 4)));
        server.on("GET", "/v1/apps/id-hello", 200, Apps.json(Apps.app("hello", "running", 1, 1)));
        server.on(
                "GET",
                "/v1/apps/id-hello/releases/4",
                200,
                Apps.json(Releases.release("hello", 4, "pending", "changed command")));

        CliRunner.Result result = emp.run("deploy", "--timeout", "300ms", file.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .isEqualTo("emp: error: release v4 of 'hello' is still rolling out after 300ms (1/1 replicas ready)"
                        + " and goes on on the server; 'emp releases hello' shows how it ends, 'emp logs hello' what"
                        + " its replicas print\n");
    }

    @Test
    void aServerWithoutTheReleaseRouteIsWaitedForUntilTheAppIsReady() throws Exception {
        Path file = Files.writeString(home.resolve("hello.json"), "{\"name\": \"hello\"}");
        server.on(
                "PUT",
                "/v1/apps",
                200,
                Apps.json(Apps.app("hello", "pending", 1, 0).put("release", 1)));
        AtomicInteger polls = new AtomicInteger();
        server.on(
                "GET",
                "/v1/apps/id-hello",
                request -> FakeEmpServer.json(
                        200, Apps.json(Apps.app("hello", "running", 1, polls.incrementAndGet() < 3 ? 0 : 1))));

        CliRunner.Result result = emp.run("deploy", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        // The fake server answers 404 for the release, once: after it only the app is polled.
        assertThat(server.requests("GET", "/v1/apps/id-hello/releases/1")).hasSize(1);
        assertThat(polls.get()).isEqualTo(3);
        assertThat(result.out()).endsWith("hello deployed: 1/1 ready at http://127.0.0.1:8080/alice/hello/\n");
    }

    @Test
    void aMissingFileIsNamed() {
        CliRunner.Result result = emp.run("deploy", home.resolve("nope.json").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("file '" + home.resolve("nope.json") + "' does not exist");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void anInvalidSpecPrintsTheServersDetail() throws Exception {
        Path file = Files.writeString(home.resolve("bad.json"), "{\"name\": \"Bad Name\"}");
        server.on(
                "PUT",
                "/v1/apps",
                request -> FakeEmpServer.problem(
                        400, "Bad Request", "field 'name' is 'Bad Name'; expected lower-case letters, digits and '-'"));

        CliRunner.Result result = emp.run("deploy", file.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .isEqualTo("emp: error: field 'name' is 'Bad Name'; expected lower-case letters, digits and '-'\n");
    }
}
