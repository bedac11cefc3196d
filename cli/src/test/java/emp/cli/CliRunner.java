package emp.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code emp} in-process with captured streams, a temporary {@code EMP_HOME} and a given environment. */
final class CliRunner {
    /** What one run printed and returned. */
    record Result(int exitCode, String out, String err) {}

    private final Map<String, String> env = new HashMap<>();
    private final Path home;
    private Prompter prompter = new ConsolePrompter();
    private boolean interactive;
    private String stdin = "";

    CliRunner(Path home) {
        this.home = home;
        env.put("EMP_HOME", home.toString());
    }

    Path home() {
        return home;
    }

    CliRunner env(String name, String value) {
        env.put(name, value);
        return this;
    }

    CliRunner stdin(String text) {
        stdin = text;
        return this;
    }

    /** Takes a person to be at a terminal, answering prompts through {@code answers}. */
    CliRunner interactive(Prompter answers) {
        interactive = true;
        prompter = answers;
        return this;
    }

    Result run(String... args) {
        return run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    }

    Result run(InputStream in, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliContext context = CliContext.of(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        in,
                        env,
                        interactive,
                        prompter)
                .withPollInterval(Duration.ofMillis(50));
        int exitCode = EmpMain.run(context, args);
        return new Result(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
