package emp.testsupport;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Zipkin server (the {@code io.zipkin:zipkin-server} executable jar) with in-memory storage, in a child JVM
 * on a free port of 127.0.0.1. It accepts spans over HTTP ({@code POST /api/v2/spans}) and, when given a broker, reads
 * them from a Kafka topic too, in its own consumer group ({@code zipkin}); its API and UI are at {@link #baseUrl()}.
 *
 * <pre>{@code
 * try (ZipkinServer zipkin = ZipkinServer.builder().kafka(broker.bootstrapServers()).build()) {
 *     zipkin.start();
 *     URI trace = zipkin.baseUrl().resolve("/api/v2/trace/" + traceId);
 * }
 * }</pre>
 *
 * Thread-safe. Fails, with the log file's path and last lines, when the server cannot start.
 */
public final class ZipkinServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZipkinServer.class);

    /** Options of the server's JVM: a small heap, and the client compiler only, for a quick start. */
    public static final List<String> DEFAULT_JVM_OPTIONS =
            List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true");

    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final List<String> jvmOptions;
    private final String kafkaBootstrapServers;
    private final String kafkaTopic;
    private final Duration startTimeout;
    private final int port;
    private final ChildJvm child;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Duration lastStartTime;

    private ZipkinServer(Builder builder) {
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.kafkaBootstrapServers = builder.kafkaBootstrapServers;
        this.kafkaTopic = builder.kafkaTopic;
        this.startTimeout = builder.startTimeout;
        this.port = FreePorts.pick(1)[0];
        this.child = new ChildJvm(
                "Zipkin server 127.0.0.1:" + port, ChildJvm.logsFolder().resolve("zipkin-" + port + ".log"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the server and returns once its {@code /health} answers 200 (with Kafka, that includes its collector
     * reaching the broker).
     *
     * @throws IllegalStateException naming the log file, with its last lines, when the server does not start
     */
    public synchronized void start() {
        if (child.isAlive()) {
            return;
        }
        long began = System.nanoTime();
        Path jar = Artifacts.zipkinServerJar();
        Map<String, String> environment = new HashMap<>();
        environment.put("STORAGE_TYPE", "mem");
        environment.put("QUERY_PORT", Integer.toString(port));
        environment.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers);
        environment.put("KAFKA_TOPIC", kafkaBootstrapServers == null ? null : kafkaTopic);
        environment.put("KAFKA_GROUP_ID", null);
        environment.put("SELF_TRACING_ENABLED", null);
        child.start(List.of(jar), jvmOptions, mainClass(jar), List.of(), environment, ChildJvm.logsFolder());
        awaitHealthy(began);
        lastStartTime = Duration.ofNanos(System.nanoTime() - began);
        log.info("Zipkin server {} started in {} ms; log {}", baseUrl(), lastStartTime.toMillis(), logFile());
    }

    /** Stops the server (SIGTERM, then SIGKILL after 15 s); the log file stays. */
    @Override
    public synchronized void close() {
        child.stop(STOP_GRACE);
    }

    /** {@code http://127.0.0.1:PORT}: the API ({@code /api/v2/...}), the UI ({@code /zipkin/}) and {@code /health}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** The server's log, kept after close under the module's {@code target/emp-test-servers/}. */
    public Path logFile() {
        return child.logFile();
    }

    /** How long the last {@link #start()} took, from launching the JVM until {@code /health} answered 200. */
    public synchronized Duration lastStartTime() {
        if (lastStartTime == null) {
            throw new IllegalStateException("Zipkin server 127.0.0.1:" + port + " has not started yet");
        }
        return lastStartTime;
    }

    /** The jar's launcher, as its manifest names it, so the server runs behind {@link OrphanGuard}. */
    private static String mainClass(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            String main = file.getManifest() == null
                    ? null
                    : file.getManifest().getMainAttributes().getValue("Main-Class");
            if (main == null) {
                throw new IllegalStateException("Zipkin server jar " + jar
                        + " has no Main-Class; it should be the 'exec' classifier; " + Artifacts.REBUILD);
            }
            return main;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read Zipkin server jar " + jar + "; " + Artifacts.REBUILD, e);
        }
    }

    private void awaitHealthy(long began) {
        long deadline = began + startTimeout.toNanos();
        HttpRequest health = HttpRequest.newBuilder(baseUrl().resolve("/health"))
                .timeout(Duration.ofSeconds(5))
                .build();
        String lastAnswer = "no answer yet";
        while (true) {
            if (!child.isAlive()) {
                throw new IllegalStateException("Zipkin server " + baseUrl() + " exited with code " + child.exitCode()
                        + " before it was ready; the log says why (a port taken by another process means run the"
                        + " test again): " + logFile() + child.tail());
            }
            try {
                HttpResponse<InputStream> response = http.send(health, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = response.body()) {
                    String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                    if (response.statusCode() == 200) {
                        return;
                    }
                    lastAnswer = response.statusCode() + " " + text.replaceAll("\\s+", " ");
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.kill();
                throw new IllegalStateException("interrupted while starting the Zipkin server", e);
            }
            if (System.nanoTime() > deadline) {
                child.kill();
                throw new IllegalStateException("Zipkin server " + baseUrl() + " was not healthy after "
                        + startTimeout.toSeconds() + " s (last /health answer: " + lastAnswer
                        + (kafkaBootstrapServers == null
                                ? ""
                                : "; check that Kafka broker " + kafkaBootstrapServers + " is running")
                        + "); see " + logFile() + child.tail());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.kill();
                throw new IllegalStateException("interrupted while starting the Zipkin server", e);
            }
        }
    }

    /** Settings of a server; every one has a default. */
    public static final class Builder {
        private List<String> jvmOptions = DEFAULT_JVM_OPTIONS;
        private String kafkaBootstrapServers;
        private String kafkaTopic = "zipkin";
        private Duration startTimeout = Duration.ofSeconds(120);

        private Builder() {}

        /** Replaces {@link #DEFAULT_JVM_OPTIONS}. */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /** Makes the server read spans from this broker too, in its own consumer group {@code zipkin}. */
        public Builder kafka(String bootstrapServers) {
            this.kafkaBootstrapServers = requireNonNull(bootstrapServers, "bootstrapServers is null");
            return this;
        }

        /** The topic it reads (default {@code zipkin}). */
        public Builder kafkaTopic(String topic) {
            this.kafkaTopic = requireNonNull(topic, "topic is null");
            return this;
        }

        /** How long a start may take before it fails (default 120 s, for a busy machine with a cold disk cache). */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = requireNonNull(timeout, "timeout is null");
            return this;
        }

        /** The server, not started yet; picks its port now. */
        public ZipkinServer build() {
            return new ZipkinServer(this);
        }
    }
}
