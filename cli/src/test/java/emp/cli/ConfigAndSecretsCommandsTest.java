package emp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigAndSecretsCommandsTest {
    private static final String CONFIG = "{\"release\": 3, \"config\": {\"PORT_X\": \"9000\", \"LOG_LEVEL\": \"debug\","
            + " \"GREETING\": \"hi = there\"}}";

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
    void configListPrintsSortedPairsAndJsonTheMap() throws Exception {
        server.on("GET", "/v1/apps/hello/config", 200, CONFIG);

        CliRunner.Result list = emp.run("config", "list", "hello");
        CliRunner.Result json = emp.run("config", "list", "hello", "-o", "json");

        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).isEqualTo("GREETING=hi = there\nLOG_LEVEL=debug\nPORT_X=9000\n");
        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(Json.MAPPER.readTree(json.out()))
                .isEqualTo(Json.MAPPER.readTree(CONFIG).path("config"));
    }

    @Test
    void configGetPrintsTheRawValueAndFailsForAKeyThatIsNotSet() {
        server.on("GET", "/v1/apps/hello/config", 200, CONFIG);

        CliRunner.Result set = emp.run("config", "get", "hello", "GREETING");
        CliRunner.Result unset = emp.run("config", "get", "hello", "NOPE");

        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out()).isEqualTo("hi = there\n");
        assertThat(unset.exitCode()).isEqualTo(1);
        assertThat(unset.out()).isEmpty();
        assertThat(unset.err())
                .isEqualTo("emp: error: 'NOPE' is not set in the config of 'hello'; 'emp config list hello' shows"
                        + " what is, 'emp config set hello NOPE=VALUE' sets it\n");
    }

    @Test
    void configSetPatchesThePairsAndSaysWhichReleaseRollsOut() throws Exception {
        server.on(
                "PATCH",
                "/v1/apps/hello/config",
                200,
                "{\"release\": 4, \"changed\": true, \"config\": {\"LOG_LEVEL\": \"debug\", \"PORT_X\": \"a=b\"}}");

        CliRunner.Result result = emp.run("config", "set", "hello", "LOG_LEVEL=debug", "PORT_X=a=b");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Json.MAPPER.readTree(
                        server.requests("PATCH", "/v1/apps/hello/config").get(0).body()))
                .isEqualTo(Json.MAPPER.readTree(
                        "{\"set\": {\"LOG_LEVEL\": \"debug\", \"PORT_X\": \"a=b\"}, \"unset\": []}"));
        assertThat(result.out()).isEqualTo("set LOG_LEVEL, PORT_X on 'hello': release v4 is rolling out\n");
    }

    @Test
    void configUnsetPatchesTheKeysAndSaysWhenNothingChanged() throws Exception {
        server.on(
                "PATCH",
                "/v1/apps/hello/config",
                200,
                "{\"release\": 3, \"changed\": false, \"config\": {\"LOG_LEVEL\": \"debug\"}}");

        CliRunner.Result result = emp.run("config", "unset", "hello", "GREETING");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Json.MAPPER.readTree(
                        server.requests("PATCH", "/v1/apps/hello/config").get(0).body()))
                .isEqualTo(Json.MAPPER.readTree("{\"set\": {}, \"unset\": [\"GREETING\"]}"));
        assertThat(result.out()).isEqualTo("nothing changed; 'hello' stays on release v3\n");
    }

    @Test
    void aMalformedPairIsAUsageErrorNamingItAndNothingIsSent() {
        CliRunner.Result noEquals = emp.run("config", "set", "hello", "LOG_LEVEL=debug", "VERBOSE");
        CliRunner.Result noKey = emp.run("config", "set", "hello", "=debug");
        CliRunner.Result twice = emp.run("config", "set", "hello", "A=1", "A=2");
        CliRunner.Result pairToUnset = emp.run("config", "unset", "hello", "A=1");

        assertThat(noEquals.exitCode()).isEqualTo(2);
        assertThat(noEquals.err()).contains("'VERBOSE' is not KEY=VALUE; write it like LOG_LEVEL=debug");
        assertThat(noKey.exitCode()).isEqualTo(2);
        assertThat(noKey.err()).contains("'=debug' has no key before '='");
        assertThat(twice.err()).contains("'A' is given twice");
        assertThat(pairToUnset.err()).contains("'A=1' is not a key; unset takes keys only");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void secretsListShowsNamesOnly() {
        server.on(
                "GET", "/v1/apps/hello/secrets", 200, "{\"release\": 3, \"secrets\": [\"DB_PASSWORD\", \"API_KEY\"]}");

        CliRunner.Result result = emp.run("secrets", "list", "hello");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("API_KEY=********\nDB_PASSWORD=********\n");
    }

    @Test
    void secretsSetFromArgumentsAndStdinNeverPrintsAValue() throws Exception {
        server.on(
                "PATCH",
                "/v1/apps/hello/secrets",
                200,
                "{\"release\": 4, \"changed\": true, \"secrets\": [\"API_KEY\", \"DB_PASSWORD\"]}");

        CliRunner.Result result = emp.stdin("pa55-from-stdin\nnot read\n")
                .run("secrets", "set", "hello", "DB_PASSWORD", "API_KEY=k3y-from-args");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Json.MAPPER.readTree(server.requests("PATCH", "/v1/apps/hello/secrets")
                        .get(0)
                        .body()))
                .isEqualTo(Json.MAPPER.readTree("{\"set\": {\"DB_PASSWORD\": \"pa55-from-stdin\","
                        + " \"API_KEY\": \"k3y-from-args\"}, \"unset\": []}"));
        assertThat(result.out()).isEqualTo("set DB_PASSWORD, API_KEY on 'hello': release v4 is rolling out\n");
        assertThat(result.out() + result.err()).doesNotContain("pa55").doesNotContain("k3y");
    }

    @Test
    void secretsSetAtATerminalAsksForTheValueHidden() throws Exception {
        server.on(
                "PATCH",
                "/v1/apps/hello/secrets",
                200,
                "{\"release\": 4, \"changed\": true, \"secrets\": [\"DB_PASSWORD\"]}");
        SessionCommandsTest.ScriptedPrompter typed = new SessionCommandsTest.ScriptedPrompter("typed-s3cret");

        CliRunner.Result result = emp.interactive(typed).run("secrets", "set", "hello", "DB_PASSWORD");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(typed.prompts).containsExactly("password:Value of DB_PASSWORD for 'hello': ");
        assertThat(server.requests("PATCH", "/v1/apps/hello/secrets").get(0).body())
                .contains("typed-s3cret");
        assertThat(result.out() + result.err()).doesNotContain("typed-s3cret");
    }

    @Test
    void secretErrorsNameTheKeyButNeverTheValue() {
        CliRunner.Result noKey = emp.run("secrets", "set", "hello", "=hunter2");
        CliRunner.Result appMissing = emp.run("secrets", "set", "API_KEY=hunter2", "B=x");
        CliRunner.Result pairToUnset = emp.run("secrets", "unset", "hello", "API_KEY=hunter2");
        CliRunner.Result noStdin = emp.stdin("").run("secrets", "set", "hello", "API_KEY");

        assertThat(noKey.exitCode()).isEqualTo(2);
        assertThat(noKey.err()).contains("a pair has no key before '='");
        assertThat(appMissing.exitCode()).isEqualTo(2);
        assertThat(appMissing.err()).contains("give the app first");
        assertThat(pairToUnset.exitCode()).isEqualTo(2);
        assertThat(pairToUnset.err()).contains("'API_KEY' is given with a value; unset takes keys only");
        assertThat(noStdin.exitCode()).isEqualTo(1);
        assertThat(noStdin.err()).contains("no value for 'API_KEY' on stdin");
        for (CliRunner.Result result : new CliRunner.Result[] {noKey, appMissing, pairToUnset}) {
            assertThat(result.out() + result.err()).doesNotContain("hunter2");
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void secretsUnsetPatchesTheKeys() throws Exception {
        server.on("PATCH", "/v1/apps/hello/secrets", 200, "{\"release\": 5, \"changed\": true, \"secrets\": []}");

        CliRunner.Result result = emp.run("secrets", "unset", "hello", "DB_PASSWORD");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Json.MAPPER.readTree(server.requests("PATCH", "/v1/apps/hello/secrets")
                        .get(0)
                        .body()))
                .isEqualTo(Json.MAPPER.readTree("{\"set\": {}, \"unset\": [\"DB_PASSWORD\"]}"));
        assertThat(result.out()).isEqualTo("unset DB_PASSWORD on 'hello': release v5 is rolling out\n");
    }

    @Test
    void theShellKeepsNoSecretValueInItsHistory() {
        assertThat(ShellHistory.holdsSecret("secrets set hello API_KEY=hunter2"))
                .isTrue();
        assertThat(ShellHistory.holdsSecret("secrets set hello API_KEY")).isFalse();
        assertThat(ShellHistory.holdsSecret("config set hello LOG_LEVEL=debug")).isFalse();
    }
}
