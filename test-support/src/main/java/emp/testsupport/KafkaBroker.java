package emp.testsupport;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (one process that is broker and controller), in a child JVM on two
 * free ports of 127.0.0.1, with its data in a temporary folder. It can be stopped and started again on the same ports
 * and data, to test what clients do while a broker is away.
 *
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.builder().build()) {
 *     broker.start();
 *     String servers = broker.bootstrapServers(); // 127.0.0.1:PORT
 * }
 * }</pre>
 *
 * Thread-safe. Fails, with the log file's path and last lines, when the broker cannot start.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);

    /**
     * Options of the broker's JVM: a small heap, and the client compiler only, which halves the start time on a
     * machine of two cores. A benchmark that wants the broker's full speed passes its own.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "-Xms128m",
            "-Xmx512m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
            // Each component prints its whole configuration at start; the log stays readable without it.
            "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config=warn");

    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final List<String> jvmOptions;
    private final Map<String, String> overrides;
    private final Duration startTimeout;
    private final int port;
    private final int controllerPort;
    private final ChildJvm child;
    private Path folder;
    private Duration lastStartTime;
    private boolean closed;

    private KafkaBroker(Builder builder) {
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.overrides = Map.copyOf(builder.properties);
        this.startTimeout = builder.startTimeout;
        int[] ports = FreePorts.pick(2);
        this.port = ports[0];
        this.controllerPort = ports[1];
        this.child = new ChildJvm(
                "Kafka broker 127.0.0.1:" + port, ChildJvm.logsFolder().resolve("kafka-" + port + ".log"));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A broker with the default settings, started. */
    public static KafkaBroker started() {
        KafkaBroker broker = builder().build();
        try {
            broker.start();
            return broker;
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /**
     * Starts the broker and returns once a client can use it: the first time it formats a new data folder, later
     * times it reopens the same one on the same ports.
     *
     * @throws IllegalStateException naming the log file, with its last lines, when the broker does not start
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("Kafka broker 127.0.0.1:" + port + " is closed; build a new one");
        }
        if (child.isAlive()) {
            return;
        }
        long began = System.nanoTime();
        List<Path> classpath = Artifacts.kafkaClasspath();
        if (folder == null) {
            folder = createFolder();
            writeProperties();
            format(classpath);
        }
        child.start(classpath, jvmOptions, "kafka.Kafka", List.of("server.properties"), Map.of(), folder);
        awaitReady(began);
        lastStartTime = Duration.ofNanos(System.nanoTime() - began);
        log.info("Kafka broker {} started in {} ms; log {}", bootstrapServers(), lastStartTime.toMillis(), logFile());
    }

    /** Stops the broker the way an operator would (SIGTERM, then SIGKILL after 30 s), keeping its data and ports. */
    public synchronized void stop() {
        child.stop(STOP_GRACE);
    }

    /** Kills the broker and deletes its data folder; the log file stays. */
    @Override
    public synchronized void close() {
        closed = true;
        child.kill();
        if (folder != null) {
            deleteFolder(folder);
        }
    }

    /** {@code 127.0.0.1:PORT}, the same for the broker's whole life. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public synchronized boolean isRunning() {
        return child.isAlive();
    }

    /** The broker's log, kept after close under the module's {@code target/emp-test-servers/}. */
    public Path logFile() {
        return child.logFile();
    }

    /** How long the last {@link #start()} took, from launching the JVM until a client could use the broker. */
    public synchronized Duration lastStartTime() {
        if (lastStartTime == null) {
            throw new IllegalStateException("Kafka broker 127.0.0.1:" + port + " has not started yet");
        }
        return lastStartTime;
    }

    /**
     * Creates a topic, when it does not exist yet, and returns once every partition has a leader.
     *
     * @throws IllegalStateException when the broker does not create it within 30 s
     */
    public void createTopic(String name, int partitions) {
        requireNonNull(name, "name is null");
        try (Admin admin = Admin.create(adminProperties())) {
            try {
                admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException(
                            "Kafka broker " + bootstrapServers() + " did not create topic '" + name + "'; see "
                                    + logFile(),
                            e.getCause());
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                TopicDescription topic;
                try {
                    topic = admin.describeTopics(List.of(name))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get(name);
                } catch (ExecutionException e) {
                    // Just created: the broker's metadata may not list it for a moment yet.
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                    continue;
                }
                if (topic.partitions().stream().allMatch(partition -> partition.leader() != null)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic '" + name + "' of Kafka broker " + bootstrapServers()
                            + " has partitions without a leader after 30 s; see " + logFile());
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic '" + name + "'", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka broker " + bootstrapServers() + " did not create topic '" + name + "' within 30 s; see "
                            + logFile(),
                    e);
        }
    }

    private Properties adminProperties() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return properties;
    }

    private Path createFolder() {
        try {
            return Files.createTempDirectory("emp-kafka-" + port + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data folder for the Kafka broker", e);
        }
    }

    private void writeProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", "1");
        properties.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        properties.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        properties.put("controller.listener.names", "CONTROLLER");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.put("log.dirs", folder.resolve("data").toString());
        properties.put("num.partitions", "1");
        properties.put("auto.create.topics.enable", "true");
        // One node: every internal topic has one replica, and few partitions, so they are created quickly.
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("offsets.topic.num.partitions", "1");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("transaction.state.log.num.partitions", "1");
        properties.put("share.coordinator.state.topic.replication.factor", "1");
        properties.put("share.coordinator.state.topic.min.isr", "1");
        // A consumer group forms at once instead of waiting for more members that never come.
        properties.put("group.initial.rebalance.delay.ms", "0");
        properties.putAll(overrides);
        try (Writer writer = Files.newBufferedWriter(folder.resolve("server.properties"), StandardCharsets.UTF_8)) {
            for (Map.Entry<String, String> entry : properties.entrySet()) {
                writer.write(entry.getKey() + "=" + entry.getValue() + System.lineSeparator());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Kafka broker's server.properties in " + folder, e);
        }
    }

    private void format(List<Path> classpath) {
        child.start(
                classpath,
                jvmOptions,
                "kafka.tools.StorageTool",
                List.of("format", "-t", Uuid.randomUuid().toString(), "-c", "server.properties"),
                Map.of(),
                folder);
        int exit = child.awaitExit(startTimeout);
        if (exit != 0) {
            throw new IllegalStateException("formatting the Kafka broker's storage failed (exit code " + exit
                    + "); see " + logFile() + child.tail());
        }
    }

    private void awaitReady(long began) {
        long deadline = began + startTimeout.toNanos();
        awaitPort(deadline);
        try (Admin admin = Admin.create(adminProperties())) {
            while (true) {
                failIfExited();
                try {
                    if (!admin.describeCluster()
                            .nodes()
                            .get(5, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // Not serving metadata yet.
                }
                failIfLate(deadline);
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.kill();
            throw new IllegalStateException("interrupted while starting the Kafka broker", e);
        }
    }

    /** Waits for the listener first, so the admin client does not log a warning per refused connection. */
    private void awaitPort(long deadline) {
        while (true) {
            failIfExited();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                // Not listening yet.
            }
            failIfLate(deadline);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.kill();
                throw new IllegalStateException("interrupted while starting the Kafka broker", e);
            }
        }
    }

    private void failIfExited() {
        if (!child.isAlive()) {
            throw new IllegalStateException("Kafka broker " + bootstrapServers() + " exited with code "
                    + child.exitCode() + " before it was ready; the log says why (a port taken by another process"
                    + " means run the test again; an unsupported Java means run Maven with Java 17 or later): "
                    + logFile() + child.tail());
        }
    }

    private void failIfLate(long deadline) {
        if (System.nanoTime() > deadline) {
            child.kill();
            throw new IllegalStateException("Kafka broker " + bootstrapServers() + " was not ready after "
                    + startTimeout.toSeconds() + " s (the machine may be overloaded; raise startTimeout or run fewer"
                    + " tests at once); see " + logFile() + child.tail());
        }
    }

    private static void deleteFolder(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            log.warn("could not delete the Kafka broker's data folder {}: {}", folder, e.toString());
        }
    }

    /** Settings of a broker; every one has a default. */
    public static final class Builder {
        private List<String> jvmOptions = DEFAULT_JVM_OPTIONS;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(120);

        private Builder() {}

        /** Replaces {@link #DEFAULT_JVM_OPTIONS}. */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /** Sets a line of {@code server.properties}, over the harness's own, e.g. {@code num.partitions}. */
        public Builder property(String key, String value) {
            properties.put(requireNonNull(key, "key is null"), requireNonNull(value, "value is null"));
            return this;
        }

        /** How long a start may take before it fails (default 120 s, for a busy machine with a cold disk cache). */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = requireNonNull(timeout, "timeout is null");
            return this;
        }

        /** The broker, not started yet; picks its ports now. */
        public KafkaBroker build() {
            return new KafkaBroker(this);
        }
    }
}
