package emp.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
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
public final class RedisServer implements AutoCloseable {
    /** A generous bound on a start, only so that a Redis that never answers fails the test instead of hanging it. */
    private static final long START_TIMEOUT_MILLIS = 60_000;

    private final Path dir;
    private final int port;
    private final List<String> arguments;
    private Process process;

    private RedisServer(Path dir, int port, List<String> arguments) {
        this.dir = dir;
        this.port = port;
        this.arguments = List.copyOf(arguments);
    }

    /**
     * Starts redis-server on a free port, keeping its files in {@code dir}, and waits until it serves commands.
     *
     * @param extra further redis-server arguments, e.g. {@code --appendonly yes}; by default it saves nothing
     */
    public static RedisServer start(Path dir, String... extra) {
        List<String> arguments = new ArrayList<>(List.of("--save", "", "--appendonly", "no"));
        arguments.addAll(List.of(extra));
        RedisServer redis = new RedisServer(dir, freePort(), arguments);
        redis.start();
        return redis;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>} */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server again, on the same port and with the same folder; it loads what it persisted there. */
    public void start() {
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
    public void kill() {
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
        return command(InetAddress.getLoopbackAddress().getHostAddress(), port, "EXISTS", "emp-test-probe");
    }

    private String readLog() {
        try {
            return Files.readString(log());
        } catch (IOException e) {
            return "(cannot read " + log() + ": " + e + ")";
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }

    /**
     * The Redis that tests share: the one at the environment variable REDIS_URL; else the one answering on
     * 127.0.0.1:6379; else a redis-server from the PATH that this JVM starts on a free port (saving nothing) and kills
     * when it exits. Tests keep their keys under a prefix of their own and remove them with {@link #deleteKeys}.
     */
    public static synchronized String shared() {
        if (shared == null) {
            String configured = System.getenv("REDIS_URL");
            if (configured != null && !configured.isBlank()) {
                shared = configured;
            } else if (answers(6379)) {
                shared = "redis://127.0.0.1:6379";
            } else {
                try {
                    RedisServer redis = start(Files.createTempDirectory("emp-test-redis"));
                    Runtime.getRuntime().addShutdownHook(new Thread(redis::kill, "emp-test-redis-stop"));
                    shared = redis.url();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot make a folder for a test Redis", e);
                }
            }
        }
        return shared;
    }

    /**
     * Deletes every key that starts with {@code prefix} from the Redis at {@code redis://host:port} (no password, database
     * 0), with one Lua script, so that a test leaves nothing behind.
     */
    public static void deleteKeys(String url, String prefix) {
        URI uri = URI.create(url);
        String script = "local n = 0 for _, key in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('UNLINK', key)"
                + " n = n + 1 end return n";
        String pattern = prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + "*";
        String reply = command(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), "EVAL", script, "0", pattern);
        if (!reply.startsWith(":")) {
            throw new IllegalStateException("cannot delete the keys under '" + prefix + "' from " + url + ": " + reply);
        }
    }

    private static String shared;

    private static boolean answers(int port) {
        return command("127.0.0.1", port, "EXISTS", "emp-test-probe").startsWith(":");
    }

    /** Sends one command in RESP and returns the first line of the answer, or why there was none. */
    private static String command(String host, int port, String... words) {
        StringBuilder request = new StringBuilder("*").append(words.length).append("\r\n");
        for (String word : words) {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            request.append('$').append(bytes.length).append("\r\n").append(word).append("\r\n");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
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

    /** redis-server's path on the PATH. */
    public static String redisServer() {
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
