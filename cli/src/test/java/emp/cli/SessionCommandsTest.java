package emp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionCommandsTest {
    @TempDir
    Path home;

    private FakeEmpServer server;
    private CliRunner emp;

    @BeforeEach
    void start() throws Exception {
        server = new FakeEmpServer();
        server.on(
                "POST",
                "/v1/sessions",
                201,
                "{\"token\":\"tok-123\",\"username\":\"alice\",\"expires_at\":\"2030-01-01T00:00:00Z\"}");
        server.on("POST", "/v1/accounts", 201, "{\"username\":\"alice\",\"created_at\":\"2025-01-01T00:00:00Z\"}");
        server.on("GET", "/v1/apps", 200, "[]");
        server.on("DELETE", "/v1/sessions/current", request -> FakeEmpServer.noContent());
        emp = new CliRunner(home);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void loginStoresTheTokenInAPrivateFileAndLaterCommandsSendIt() throws Exception {
        CliRunner.Result login =
                emp.run("login", "--server", server.url(), "--username", "alice", "--password", "s3cret");

        assertThat(login.exitCode()).as(login.err()).isZero();
        assertThat(login.out()).contains("Logged in to " + server.url() + " as 'alice'");
        FakeEmpServer.Request sent = server.requests("POST", "/v1/sessions").get(0);
        assertThat(Json.MAPPER.readTree(sent.body()))
                .isEqualTo(Json.MAPPER.readTree("{\"username\":\"alice\",\"password\":\"s3cret\"}"));
        assertThat(sent.authorization()).isNull();

        Path config = home.resolve("config");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(config)).contains("tok-123").contains(server.url());

        // No --server: the one given at login is remembered.
        CliRunner.Result list = emp.run("list");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(server.requests("GET", "/v1/apps"))
                .singleElement()
                .extracting(FakeEmpServer.Request::authorization)
                .isEqualTo("Bearer tok-123");
    }

    @Test
    void logoutRevokesTheTokenAndForgetsIt() throws Exception {
        emp.run("login", "--server", server.url(), "--username", "alice", "--password", "s3cret");

        CliRunner.Result logout = emp.run("logout");

        assertThat(logout.exitCode()).as(logout.err()).isZero();
        assertThat(server.requests("DELETE", "/v1/sessions/current"))
                .singleElement()
                .extracting(FakeEmpServer.Request::authorization)
                .isEqualTo("Bearer tok-123");
        assertThat(Files.readString(home.resolve("config")))
                .doesNotContain("tok-123")
                .contains(server.url());
        CliRunner.Result list = emp.run("list");
        assertThat(list.exitCode()).isEqualTo(1);
        assertThat(list.err()).contains("emp: error: not logged in; run 'emp login'");
    }

    @Test
    void commandsThatNeedASessionSayHowToGetOneAndSendNothing() {
        CliRunner.Result result = emp.run("list", "--server", server.url());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("emp: error: not logged in; run 'emp login'\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void environmentVariablesOverrideTheConfigAndServerOptionOverridesThemAll() throws Exception {
        try (FakeEmpServer other = new FakeEmpServer()) {
            other.on("GET", "/v1/apps", 200, "[]");
            emp.run("login", "--server", server.url(), "--username", "alice", "--password", "s3cret");
            emp.env("EMP_SERVER", other.url()).env("EMP_TOKEN", "from-env");

            assertThat(emp.run("list").exitCode()).isZero();
            assertThat(other.requests("GET", "/v1/apps"))
                    .singleElement()
                    .extracting(FakeEmpServer.Request::authorization)
                    .isEqualTo("Bearer from-env");

            assertThat(emp.run("list", "--server", server.url() + "/").exitCode())
                    .isZero();
            assertThat(server.requests("GET", "/v1/apps")).hasSize(1);
        }
    }

    @Test
    void createAccountAndItsOriginalAliasPostTheCredentials() throws Exception {
        CliRunner.Result created =
                emp.run("create-account", "--server", server.url(), "--username", "alice", "--password", "pw");
        CliRunner.Result aliased =
                emp.run("create_account", "--server", server.url(), "--username", "alice", "--password", "pw");

        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).contains("Account 'alice' created").contains("emp login");
        assertThat(aliased.exitCode()).as(aliased.err()).isZero();
        assertThat(server.requests("POST", "/v1/accounts")).hasSize(2).allSatisfy(request -> {
            assertThat(request.contentType()).startsWith("application/json");
            assertThat(request.body()).contains("\"username\":\"alice\"").contains("\"password\":\"pw\"");
        });
        assertThat(Files.exists(home.resolve("config"))).isFalse();
    }

    @Test
    void withoutATerminalMissingCredentialsAreAnErrorNamingTheFlag() {
        CliRunner.Result noPassword = emp.run("login", "--server", server.url(), "--username", "alice");
        CliRunner.Result noUsername = emp.run("create-account", "--server", server.url(), "--password", "pw");

        assertThat(noPassword.exitCode()).isEqualTo(1);
        assertThat(noPassword.err()).contains("missing --password-stdin").contains("not a terminal");
        assertThat(noUsername.exitCode()).isEqualTo(1);
        assertThat(noUsername.err()).contains("missing --username");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void passwordStdinReadsThePasswordFromStdin() throws Exception {
        CliRunner.Result login = emp.stdin("from-pipe\n")
                .run("login", "--server", server.url(), "--username", "alice", "--password-stdin");

        assertThat(login.exitCode()).as(login.err()).isZero();
        assertThat(Json.MAPPER
                        .readTree(server.requests("POST", "/v1/sessions").get(0).body())
                        .path("password")
                        .asText())
                .isEqualTo("from-pipe");
    }

    @Test
    void passwordAndPasswordStdinTogetherAreAUsageError() {
        CliRunner.Result result = emp.run("login", "--username", "a", "--password", "x", "--password-stdin");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--password and --password-stdin cannot be used together");
    }

    @Test
    void atATerminalMissingCredentialsArePromptedForAndANewPasswordTwice() throws Exception {
        ScriptedPrompter person = new ScriptedPrompter("bob", "pw1", "pw1");
        CliRunner.Result created = emp.interactive(person).run("create-account", "--server", server.url());

        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(person.prompts)
                .containsExactly("line:Username: ", "password:Password: ", "password:Repeat password: ");
        assertThat(Json.MAPPER.readTree(
                        server.requests("POST", "/v1/accounts").get(0).body()))
                .isEqualTo(Json.MAPPER.readTree("{\"username\":\"bob\",\"password\":\"pw1\"}"));

        CliRunner.Result mismatch = emp.interactive(new ScriptedPrompter("bob", "pw1", "pw2"))
                .run("create-account", "--server", server.url());
        assertThat(mismatch.exitCode()).isEqualTo(1);
        assertThat(mismatch.err()).contains("the two passwords differ");
        assertThat(server.requests("POST", "/v1/accounts")).hasSize(1);
    }

    @Test
    void aRefusedLoginPrintsTheProblemDetail() {
        server.on(
                "POST",
                "/v1/sessions",
                request -> FakeEmpServer.problem(401, "Unauthorized", "wrong username or password for 'alice'"));

        CliRunner.Result result =
                emp.run("login", "--server", server.url(), "--username", "alice", "--password", "bad");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("emp: error: wrong username or password for 'alice'\n");
        assertThat(home.resolve("config")).doesNotExist();
    }

    @Test
    void aServerOptionThatIsNotAUrlIsNamed() {
        CliRunner.Result result = emp.env("EMP_TOKEN", "t").run("list", "--server", "http://[bad");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("--server is 'http://[bad', which is not a server URL");
    }

    /** Answers prompts from a script and records what was asked. */
    static final class ScriptedPrompter implements Prompter {
        final List<String> prompts = new ArrayList<>();
        private final Deque<String> answers;

        ScriptedPrompter(String... answers) {
            this.answers = new ArrayDeque<>(List.of(answers));
        }

        @Override
        public String readLine(String prompt) {
            prompts.add("line:" + prompt);
            return answers.poll();
        }

        @Override
        public String readPassword(String prompt) {
            prompts.add("password:" + prompt);
            return answers.poll();
        }
    }
}
