package emp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellAndCompletionTest {
    @TempDir
    Path home;

    private FakeEmpServer server;
    private CliRunner emp;

    @BeforeEach
    void start() throws Exception {
        server = new FakeEmpServer();
        server.on("GET", "/v1/apps", 200, "[" + Apps.json(Apps.app("hello", "running", 1, 1)) + "]");
        server.on(
                "POST",
                "/v1/sessions",
                201,
                "{\"token\":\"tok-9\",\"username\":\"alice\",\"expires_at\":\"2030-01-01T00:00:00Z\"}");
        emp = new CliRunner(home);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void completionBashPrintsAScriptThatBashLoads() throws Exception {
        CliRunner.Result result = emp.run("completion", "bash");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("complete -F")
                .contains("deploy")
                .contains("update_metrics")
                .contains("--no-wait");
        Path script = Files.writeString(home.resolve("emp.bash"), result.out());
        Process bash = new ProcessBuilder("bash", "-c", "source '" + script + "' && complete -p emp")
                .redirectErrorStream(true)
                .start();
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String said = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.exitValue()).as(said).isZero();
        assertThat(said).contains("emp");
    }

    @Test
    void completionZshLoadsBashCompatibilityFirst() {
        CliRunner.Result result = emp.run("completion", "zsh");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .startsWith("autoload -U +X bashcompinit && bashcompinit\n")
                .contains("complete -F");
        assertThat(emp.run("completion", "fish").exitCode()).isEqualTo(2);
    }

    @Test
    void theShellRunsCommandsAndKeepsAPrivateHistoryWithoutPasswords() throws Exception {
        String typed = "login --server " + server.url() + " --username alice --password s3cret\n"
                + "emp list\n"
                + "nonsense\n"
                + "list -o json\n"
                + "exit\n";

        CliRunner.Result result = emp.run(new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)), "shell");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("Logged in to " + server.url())
                .contains("ID        NAME   STATE    READY  URL\n")
                .contains("\"name\": \"hello\"");
        assertThat(result.err()).contains("Unmatched argument").contains("nonsense");
        assertThat(server.requests("GET", "/v1/apps"))
                .hasSize(2)
                .allSatisfy(request -> assertThat(request.authorization()).isEqualTo("Bearer tok-9"));
        Path history = home.resolve("history");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(history)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(history))
                .contains("emp list")
                .contains("list -o json")
                .doesNotContain("s3cret");
    }

    @Test
    void theShellDoesNotNest() {
        CliRunner.Result result =
                emp.run(new ByteArrayInputStream("shell\n".getBytes(StandardCharsets.UTF_8)), "shell");

        assertThat(result.exitCode()).isZero();
        assertThat(result.err()).contains("already in the emp shell");
    }

    @Test
    void tabCompletesCommandsOptionsAndTheirValues() {
        CliContext context = CliContext.of(
                System.out,
                System.err,
                new ByteArrayInputStream(new byte[0]),
                Map.of("EMP_HOME", home.toString()),
                false,
                new ConsolePrompter());
        CommandCompleter completer =
                new CommandCompleter(EmpMain.commandLine(context).getCommandSpec());

        assertThat(completer.candidates(List.of(""), 0))
                .contains("deploy", "update-metrics", "update_metrics", "create-account", "shell", "exit")
                .contains("releases", "rollback", "config", "secrets");
        assertThat(completer.candidates(List.of("config", ""), 1)).contains("list", "get", "set", "unset");
        assertThat(completer.candidates(List.of("secrets", ""), 1))
                .contains("list", "set", "unset")
                .doesNotContain("get");
        assertThat(completer.candidates(List.of("deploy", "--j"), 1)).contains("--jar");
        assertThat(completer.candidates(List.of("deploy", "--"), 1)).contains("--no-wait", "--timeout", "--server");
        assertThat(completer.candidates(List.of("list", "-o", ""), 2)).containsExactlyInAnyOrder("table", "json");
        assertThat(completer.candidates(List.of("completion", ""), 1))
                .contains("bash", "zsh")
                .doesNotContain("deploy");
    }

    @Test
    void historyNeverKeepsAPassword() {
        assertThat(ShellHistory.holdsSecret("login --username a --password x")).isTrue();
        assertThat(ShellHistory.holdsSecret("login --password=x")).isTrue();
        assertThat(ShellHistory.holdsSecret("login --username a --password-stdin"))
                .isFalse();
        assertThat(ShellHistory.holdsSecret("list")).isFalse();
    }
}
