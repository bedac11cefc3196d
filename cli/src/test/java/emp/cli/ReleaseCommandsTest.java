package emp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseCommandsTest {
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

    private String threeReleases() {
        return "["
                + Apps.json(Releases.release(
                                "hello",
                                3,
                                "succeeded",
                                "changed envs, command",
                                Duration.ofMinutes(5).plusSeconds(3))
                        .put("current", true))
                + ","
                + Apps.json(Releases.release("hello", 2, "failed", "set LOG_LEVEL", Duration.ofHours(2))
                        .put("by", "bob")
                        .put("status_message", "replica hello-1 exited with code 1"))
                + "," + Apps.json(Releases.release("hello", 1, "succeeded", "created", Duration.ofDays(3))) + "]";
    }

    @Test
    void releasesPrintsATableWithTheCurrentOneMarkedAndHowLongAgoEachWasMade() {
        server.on("GET", "/v1/apps/hello/releases", 200, threeReleases());

        CliRunner.Result result = emp.run("releases", "hello");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .isEqualTo(""
                        + "VERSION  CREATED  BY     STATUS     DESCRIPTION\n"
                        + "v3*      5m ago   alice  succeeded  changed envs, command\n"
                        + "v2       2h ago   bob    failed     set LOG_LEVEL\n"
                        + "v1       3d ago   alice  succeeded  created\n"
                        + "\n"
                        + "* current: the release the app runs now\n");
        assertThat(server.requests("GET", "/v1/apps/hello/releases").get(0).query())
                .isEqualTo("limit=20");
    }

    @Test
    void releasesJsonIsTheServersArrayAndTheLimitIsPassedOnAndChecked() throws Exception {
        String releases = threeReleases();
        server.on("GET", "/v1/apps/hello/releases", 200, releases);

        CliRunner.Result json = emp.run("releases", "hello", "--limit", "3", "-o", "json");
        CliRunner.Result tooMany = emp.run("releases", "hello", "--limit", "101");

        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(Json.MAPPER.readTree(json.out())).isEqualTo(Json.MAPPER.readTree(releases));
        assertThat(server.requests("GET", "/v1/apps/hello/releases"))
                .extracting(FakeEmpServer.Request::query)
                .containsExactly("limit=3");
        assertThat(tooMany.exitCode()).isEqualTo(2);
        assertThat(tooMany.err()).contains("--limit is 101; give 1 to 100 releases");
    }

    @Test
    void anAppWithoutReleasesSaysSo() {
        server.on("GET", "/v1/apps/hello/releases", 200, "[]");

        CliRunner.Result result = emp.run("releases", "hello");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("No releases of 'hello' yet; 'emp deploy FILE' makes the first.\n");
    }

    @Test
    void rollbackWithoutAVersionGoesToThePreviousReleaseAndWaitsUntilItsNewReleaseSucceeds() throws Exception {
        server.on(
                "POST",
                "/v1/apps/hello/rollback",
                200,
                Apps.json(Releases.release("hello", 5, "pending", "rollback to v2")));
        server.on("GET", "/v1/apps/hello", 200, Apps.json(Apps.app("hello", "running", 2, 1)));
        AtomicInteger polls = new AtomicInteger();
        server.on("GET", "/v1/apps/id-hello/releases/5", request -> {
            String status = polls.incrementAndGet() < 3 ? "pending" : "succeeded";
            return FakeEmpServer.json(200, Apps.json(Releases.release("hello", 5, status, "rollback to v2")));
        });
        server.on(
                "GET",
                "/v1/apps/id-hello",
                request ->
                        FakeEmpServer.json(200, Apps.json(Apps.app("hello", "running", 2, polls.get() < 3 ? 1 : 2))));

        CliRunner.Result result = emp.run("rollback", "hello");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(server.requests("POST", "/v1/apps/hello/rollback").get(0).body())
                .isEqualTo("{}");
        assertThat(polls.get()).isEqualTo(3);
        assertThat(result.out())
                .startsWith("rolled 'hello' back to v2 as release v5\n")
                .containsSubsequence("hello: 1/2 ready", "hello: 2/2 ready")
                .endsWith("hello runs release v5: 2/2 ready at http://127.0.0.1:8080/alice/hello/\n");
    }

    @Test
    void rollbackToAVersionTakesItWithOrWithoutItsV() throws Exception {
        server.on(
                "POST",
                "/v1/apps/hello/rollback",
                200,
                Apps.json(Releases.release("hello", 6, "pending", "rollback to v3")));

        CliRunner.Result spelledV = emp.run("rollback", "hello", "v3", "--no-wait");
        CliRunner.Result plain = emp.run("rollback", "hello", "3", "--no-wait");
        CliRunner.Result wrong = emp.run("rollback", "hello", "three");

        assertThat(spelledV.exitCode()).as(spelledV.err()).isZero();
        assertThat(spelledV.out())
                .isEqualTo("rolled 'hello' back to v3 as release v6; 'emp releases hello' shows how it rolls out\n");
        assertThat(plain.exitCode()).as(plain.err()).isZero();
        assertThat(server.requests("POST", "/v1/apps/hello/rollback"))
                .hasSize(2)
                .allSatisfy(request -> assertThat(Json.MAPPER.readTree(request.body()))
                        .isEqualTo(Json.MAPPER.readTree("{\"version\": 3}")));
        // --no-wait asks for nothing more.
        assertThat(server.requests()).hasSize(2);
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err()).contains("'three' is not a release version; write it like 3 or v3");
    }

    @Test
    void theReleaseARollbackWentBackToIsTakenFromRollbackOfWhenTheServerSendsIt() {
        server.on(
                "POST",
                "/v1/apps/hello/rollback",
                200,
                Apps.json(Releases.release("hello", 7, "pending", "back to the spec of May")
                        .put("rollback_of", 4)));

        CliRunner.Result result = emp.run("rollback", "hello", "--no-wait");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("rolled 'hello' back to v4 as release v7;");
    }

    @Test
    void aRollbackWhoseReleaseFailsExitsOneWithTheReasonAndJsonPrintsTheRelease() throws Exception {
        server.on(
                "POST",
                "/v1/apps/hello/rollback",
                200,
                Apps.json(Releases.release("hello", 5, "pending", "rollback to v1")));
        server.on("GET", "/v1/apps/hello", 200, Apps.json(Apps.app("hello", "running", 1, 1)));
        server.on("GET", "/v1/apps/id-hello", 200, Apps.json(Apps.app("hello", "running", 1, 1)));
        server.on(
                "GET",
                "/v1/apps/id-hello/releases/5",
                200,
                Apps.json(Releases.release("hello", 5, "failed", "rollback to v1")
                        .put("status_message", "replica hello-2 exited with code 3")));

        CliRunner.Result result = emp.run("rollback", "hello", "1", "-o", "json");

        assertThat(result.exitCode()).isEqualTo(1);
        JsonNode printed = Json.MAPPER.readTree(result.out());
        assertThat(printed.path("status").asText()).isEqualTo("failed");
        assertThat(result.err())
                .startsWith("rolled 'hello' back to v1 as release v5\n")
                .contains("emp: error: release v5 of 'hello' failed: " + "replica hello-2 exited with code 3\n");
    }

    @Test
    void infoShowsTheReleaseTheAppRuns() {
        server.on(
                "GET",
                "/v1/apps/hello",
                200,
                Apps.json(Apps.app("hello", "running", 1, 1).put("release", 3)));

        CliRunner.Result result = emp.run("info", "hello");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("Release:  v3\n");
    }
}
