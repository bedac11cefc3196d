package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code emp server} of the distribution in a child process of its own, on free ports, with its own
 * {@code EMP_HOME} and data directory under a work folder, so a run never touches a person's server or state.
 * {@link #close()} stops it with SIGTERM (it stops its replicas), then SIGKILL after 30 s, and then stops any replica
 * it left behind, by the pids seen through the API (only a process whose command line names one of the stack's
 * markers, e.g. the songs jar or the stack's folder, as a pid may have been reused).
 */
public final class PrivateServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PrivateServer.class);

    private final Process process;
    private final URI api;
    private final int gatewayPort;
    private final Path output;
    private final List<String> replicaMarkers;
    private final Set<Long> replicaPids = ConcurrentHashMap.newKeySet();

    private PrivateServer(Process process, URI api, int gatewayPort, Path output, List<String> replicaMarkers) {
        this.process = process;
        this.api = api;
        this.gatewayPort = gatewayPort;
        this.output = output;
        this.replicaMarkers = replicaMarkers;
    }

    /**
     * Starts the server and waits (up to 90 s) until {@code GET /healthz} answers 200.
     *
     * @param emp       the distribution's {@code bin/emp}
     * @param work      a fresh folder for its home, data and output
     * @param scheduler the {@code --scheduler} plugin, or {@code none}
     * @param settings  {@code KEY=VALUE}s for {@code --set}
     * @param replicaMarkers text the command line of every replica of the stack holds (the jar, the apps' folder),
     *                  so that {@link #close()} stops a left-behind replica and never another process with its pid
     */
    public static PrivateServer start(
            Path emp, Path work, String scheduler, List<String> settings, List<String> replicaMarkers)
            throws IOException, InterruptedException {
        requireNonNull(emp, "emp is null");
        List<String> markers = List.copyOf(replicaMarkers);
        if (markers.isEmpty()) {
            throw new IllegalArgumentException("no replica markers: a left-behind replica could not be told apart");
        }
        Files.createDirectories(work);
        int apiPort = freePort();
        int gatewayPort = freePort();
        while (gatewayPort == apiPort) {
            gatewayPort = freePort();
        }
        List<String> command = new ArrayList<>(List.of(
                emp.toString(),
                "server",
                "--api-port",
                Integer.toString(apiPort),
                "--gateway-port",
                Integer.toString(gatewayPort),
                "--data-dir",
                work.resolve("data").toString(),
                "--tracing",
                "http",
                "--scheduler",
                scheduler));
        for (String setting : settings) {
            command.add("--set");
            command.add(setting);
        }
        Path output = work.resolve("server.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("EMP_HOME", work.resolve("home").toString());
        Process process = builder.start();
        URI api = URI.create("http://127.0.0.1:" + apiPort);
        PrivateServer server = new PrivateServer(process, api, gatewayPort, output, markers);
        // Ctrl-C on the harness must not leave a server and its replicas running.
        Runtime.getRuntime().addShutdownHook(new Thread(server::closeQuietly, "stop-emp-server"));
        EmpApi probe = new EmpApi(api);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (probe.health() != 200) {
            if (!process.isAlive()) {
                throw new IllegalStateException("emp server exited with " + process.exitValue()
                        + " before answering GET /healthz; its output is in " + output);
            }
            if (System.nanoTime() > deadline) {
                server.close();
                throw new IllegalStateException(
                        "emp server did not answer GET /healthz with 200 within 90 s; its output is in " + output);
            }
            Thread.sleep(100);
        }
        log.info("emp server (--scheduler {}) up: API {}, gateway port {}", scheduler, api, gatewayPort);
        return server;
    }

    public URI api() {
        return api;
    }

    public int gatewayPort() {
        return gatewayPort;
    }

    public Path logFile() {
        return output;
    }

    /** Remembers a replica's pid, to stop it should the server leave it behind. */
    public void sawReplica(long pid) {
        replicaPids.add(pid);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on this machine", e);
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                log.warn("emp server did not stop within 30 s of SIGTERM; killing it");
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (long pid : replicaPids) {
            // Only a process that still runs the stack's code: the pid may have been reused since.
            ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(handle -> handle.info()
                            .commandLine()
                            .map(line -> replicaMarkers.stream().anyMatch(line::contains))
                            .orElse(false))
                    .ifPresent(handle -> {
                        log.warn("replica pid {} outlived the server; stopping it", pid);
                        handle.destroy();
                    });
        }
    }
}
