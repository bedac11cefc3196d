package emp.store.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server from the PATH, run as a child process on 127.0.0.1 with its files and log in a folder of the
 * test's. It can be killed (SIGKILL, as a crash) and started again on the same port and folder.
 */
final class RedisProcess implements AutoCloseable {
    /** A generous bound on a start, only so that a Redis that never answers fails the test instead of hanging it. */
    private static final long START_TIMEOUT_MILLIS = 60_000;

    private final Path dir;
    private final int port;
    private final List<String> arguments;
    private Process process;

    private RedisProcess(Path dir, int port, List<String> arguments) {
        this.dir = dir;
        this.port = port;
        this.arguments = List.copyOf(arguments);
    }

    /**
     * Starts redis-server on a free port, keeping its files in {@code dir}, and waits until it serves commands.
     *
     * @param extra further redis-server arguments, e.g. {@code --appendonly yes}; by default it saves nothing
     */
    static RedisProcess start(Path dir, String... extra) {
        List<String> arguments = new ArrayList<>(List.of("--save", "", "--appendonly", "no"));
        arguments.addAll(List.of(extra));
        RedisProcess redis = new RedisProcess(dir, freePort(), arguments);
        redis.start();
        return redis;
    }

    int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>} */
    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server again, on the same port and with the same folder; it loads what it persisted there. */
    void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server on port " + port + " is running already");
        }
        List<String> command = new ArrayList<>(List.of(
                redisServer(), "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString()));
        command.addAll(arguments);
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        awaitServing();
    }

    /** Kills the server with SIGKILL, as a crash would, and waits until it is gone. */
    void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server on port " + port + " did not die of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing redis-server", e);
        }
    }

    @Override
    public void close() {
        kill();
    }

    private Path log() {
        return dir.resolve("redis-" + port + ".log");
    }

    /** Waits until the server answers a command on a key: while it loads its files it answers LOADING. */
    private void awaitServing() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited with " + process.exitValue()
                        + "; its log:\n" + readLog());
            }
            last = probe();
            if (last.startsWith(":")) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for redis-server", e);
            }
        }
        kill();
        throw new IllegalStateException("redis-server on port " + port + " did not serve within " + START_TIMEOUT_MILLIS
                + " ms (last answer: " + last + "); its log:\n" + readLog());
    }

    /** The first line Redis answers to EXISTS, or why there was none. */
    private String probe() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("EXISTS emp-test-probe\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
                line.append((char) c);
            }
            return line.toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private String readLog() {
        try {
            return Files.readString(log());
        } catch (IOException e) {
            return "(cannot read " + log() + ": " + e + ")";
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }

    /** redis-server's path on the PATH. */
    static String redisServer() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String folder : path.split(File.pathSeparator)) {
                Path candidate = Path.of(folder, "redis-server");
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        throw new IllegalStateException("redis-server is not on the PATH, so the tests cannot run a Redis of their own;"
                + " install Redis (e.g. apt-get install redis-server), or set REDIS_URL to a Redis the tests may use");
    }
}
