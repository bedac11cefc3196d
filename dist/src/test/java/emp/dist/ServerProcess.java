package emp.dist;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The assembled distribution's {@code emp server} in a child process, on free ports, with its data folder, EMP_HOME
 * and log in a folder of its own.
 */
final class ServerProcess {
    private final String name;
    private final Path folder;
    private final List<String> command = new ArrayList<>();
    private final int apiPort;
    private final int gatewayPort;
    private Process process;

    private ServerProcess(String name, Path folder, boolean localGateway, String... extraArgs) throws IOException {
        this.name = name;
        this.folder = Files.createDirectories(folder);
        this.apiPort = EmpCli.freePort();
        this.gatewayPort = localGateway ? EmpCli.freePort() : -1;
        command.addAll(
                List.of(EmpCli.DIST.resolve("bin/emp").toString(), "server", "--api-port", String.valueOf(apiPort)));
        if (localGateway) {
            command.addAll(List.of("--gateway-port", String.valueOf(gatewayPort)));
        }
        command.addAll(List.of("--data-dir", folder.resolve("data").toString()));
        command.addAll(List.of(extraArgs));
    }

    /**
     * Starts {@code emp server} with the local cluster's gateway on a free port and {@code extraArgs}, and waits up to
     * {@code startup} until it answers /healthz.
     *
     * @param folder where the server's data folder, EMP_HOME and log go
     */
    static ServerProcess start(String name, Path folder, Duration startup, String... extraArgs) throws Exception {
        ServerProcess server = new ServerProcess(name, folder, true, extraArgs);
        server.restart(startup);
        return server;
    }

    /** As {@link #start}, for a cluster other than the local one: no gateway port. */
    static ServerProcess startWithoutGateway(String name, Path folder, Duration startup, String... extraArgs)
            throws Exception {
        ServerProcess server = new ServerProcess(name, folder, false, extraArgs);
        server.restart(startup);
        return server;
    }

    /** Starts the server again on the same ports and data folder (after {@link #kill()}); the log goes on. */
    void restart(Duration startup) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("EMP_HOME", folder.resolve("home").toString());
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        process = builder.start();
        try {
            await().atMost(startup).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("server " + name + " exited:\n" + logTail(200));
                }
                return Http.status(api() + "/healthz") == 200;
            });
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
    }

    String name() {
        return name;
    }

    Process process() {
        return process;
    }

    String api() {
        return "http://127.0.0.1:" + apiPort;
    }

    String gateway() {
        if (gatewayPort < 0) {
            throw new IllegalStateException("server " + name + " was started without a gateway");
        }
        return "http://127.0.0.1:" + gatewayPort;
    }

    Path log() {
        return folder.resolve("server.log");
    }

    /** The last {@code lines} lines of the server's log, or why they cannot be read. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log());
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
        } catch (IOException e) {
            return "(cannot read " + log() + ": " + e + ")\n";
        }
    }

    /** SIGTERM, so that the server stops its replicas; SIGKILL if it has not stopped within a minute. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** SIGKILL: no goodbye, the server's replicas are left running. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
}
