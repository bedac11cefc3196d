package emp.testsupport;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A server in a JVM of its own, started with the same {@code java} as the test JVM, its output appended to a log file
 * that outlives it. Every live child is killed when the test JVM exits, and {@link OrphanGuard} ends a child whose
 * test JVM was killed. Not thread-safe: each owner guards its calls.
 */
final class ChildJvm {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "emp-test-servers-kill"));
    }

    private final String name;
    private final Path logFile;
    private Process process;

    /**
     * @param name    what the child is, for messages, e.g. {@code Kafka broker 127.0.0.1:40123}
     * @param logFile where its output goes (appended)
     */
    ChildJvm(String name, Path logFile) {
        this.name = requireNonNull(name, "name is null");
        this.logFile = requireNonNull(logFile, "logFile is null");
    }

    /** The folder the harness keeps server logs in: the module's {@code target/} when there is one. */
    static Path logsFolder() {
        Path target = Path.of(System.getProperty("user.dir"), "target");
        Path folder = Files.isDirectory(target)
                ? target.resolve("emp-test-servers")
                : Path.of(System.getProperty("java.io.tmpdir"), "emp-test-servers");
        try {
            return Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the server log folder " + folder, e);
        }
    }

    /** The {@code java} launcher of the running JVM. */
    static String javaCommand() {
        return ProcessHandle.current()
                .info()
                .command()
                .filter(command -> Files.isExecutable(Path.of(command)))
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Starts {@code mainClass} in a new JVM, behind {@link OrphanGuard}.
     *
     * @param environment variables to set over the test JVM's; a null value removes one
     *
     * @throws IllegalStateException when one is running already
     */
    void start(
            List<Path> classpath,
            List<String> jvmOptions,
            String mainClass,
            List<String> args,
            Map<String, String> environment,
            Path workDir) {
        if (isAlive()) {
            throw new IllegalStateException(name + " is running already");
        }
        List<Path> fullClasspath = new ArrayList<>(classpath);
        fullClasspath.add(Artifacts.ownClasses());
        List<String> command = new ArrayList<>();
        command.add(javaCommand());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(fullClasspath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add(OrphanGuard.class.getName());
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logFile.toFile()))
                .redirectInput(Redirect.PIPE);
        // A null value removes a variable the test JVM has, so it cannot leak into the server's configuration.
        environment.forEach((key, value) -> {
            if (value == null) {
                builder.environment().remove(key);
            } else {
                builder.environment().put(key, value);
            }
        });
        appendToLog("=== " + Instant.now() + " starting " + name + ": " + mainClass + " " + String.join(" ", args));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + " with " + command.get(0) + "; see " + logFile, e);
        }
        LIVE.add(process);
    }

    /**
     * Waits for the child to exit by itself, for a one-shot tool.
     *
     * @return its exit code
     * @throws IllegalStateException when it is still running after {@code timeout} (it is killed)
     */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new IllegalStateException(
                        name + " did not finish within " + timeout.toSeconds() + " s; see " + logFile + tail());
            }
            LIVE.remove(process);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The exit code of the last child, when it has exited. */
    Integer exitCode() {
        return process == null || process.isAlive() ? null : process.exitValue();
    }

    /** SIGTERM, then SIGKILL when it has not exited after {@code grace}; returns once it is gone. */
    void stop(Duration grace) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                appendToLog("=== " + Instant.now() + " " + name + " ignored SIGTERM for " + grace.toSeconds()
                        + " s; killing it");
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        LIVE.remove(process);
    }

    /** SIGKILL; returns once it is gone. */
    void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
    }

    Path logFile() {
        return logFile;
    }

    /** The last lines of the log, indented, to end a failure message with. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            List<String> last = lines.subList(Math.max(0, lines.size() - 25), lines.size());
            return "; its last log lines:\n    " + String.join("\n    ", last);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private void appendToLog(String line) {
        try {
            Files.writeString(
                    logFile,
                    line + System.lineSeparator(),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the server log " + logFile, e);
        }
    }
}
