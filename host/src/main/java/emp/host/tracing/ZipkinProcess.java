package emp.host.tracing;

import emp.host.config.HostKey;
import emp.host.config.ServerConfig;
import emp.spi.PlatformException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Zipkin server beside the platform ({@code emp server --zipkin}), so a person can open the same traces in
 * Zipkin's UI: the {@code io.zipkin:zipkin-server} jar the distribution's build fetched with Maven, run as a child
 * process with in-memory storage, reading the same Kafka topic or receiving a copy of what the HTTP collector gets.
 */
public final class ZipkinProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ZipkinProcess.class);

    private final Process process;
    private final URI baseUri;

    private ZipkinProcess(Process process, URI baseUri) {
        this.process = process;
        this.baseUri = baseUri;
    }

    /**
     * Starts Zipkin and waits until it answers.
     *
     * @param jar            the zipkin-server exec jar
     * @param port           the port of its API and UI
     * @param kafkaBootstrap the brokers to read topic {@code zipkin} from, or null to take spans over HTTP only
     * @param logFile        where its output goes
     */
    public static ZipkinProcess start(Path jar, int port, String kafkaBootstrap, Path logFile, Duration timeout) {
        if (!Files.isRegularFile(jar)) {
            throw PlatformException.invalid(
                    "tracing.zipkin-jar",
                    "the Zipkin server jar '" + jar
                            + "' is missing; build the distribution with 'mvn -B package' (it fetches io.zipkin:zipkin-server) or set tracing.zipkin-jar");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        // Its one port, on the loopback interface only (Armeria listens on every interface unless told an address);
        // a list's items are given whole, since one item set on the command line replaces the list of its yml.
        ProcessBuilder builder = new ProcessBuilder(
                java,
                "-Xmx512m",
                "-jar",
                jar.toString(),
                "--armeria.ports[0].ip=127.0.0.1",
                "--armeria.ports[0].port=" + port,
                "--armeria.ports[0].protocols[0]=http");
        Map<String, String> environment = builder.environment();
        environment.put("STORAGE_TYPE", "mem");
        environment.put("QUERY_PORT", String.valueOf(port));
        environment.put("COLLECTOR_HTTP_ENABLED", "true");
        if (kafkaBootstrap != null) {
            environment.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap);
        }
        URI base = URI.create("http://127.0.0.1:" + port);
        try {
            Files.createDirectories(logFile.getParent());
            builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            Process process = builder.start();
            ZipkinProcess zipkin = new ZipkinProcess(process, base);
            zipkin.awaitHealthy(timeout, logFile);
            log.info("Zipkin server {} (pid {}), output in {}", base, process.pid(), logFile);
            return zipkin;
        } catch (IOException e) {
            throw PlatformException.unavailable(
                    "cannot start the Zipkin server from '" + jar + "': " + e.getMessage(), e);
        }
    }

    private void awaitHealthy(Duration timeout, Path logFile) {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw PlatformException.unavailable(
                        "the Zipkin server exited with code " + process.exitValue() + "; see " + logFile, null);
            }
            try {
                HttpResponse<Void> response = client.send(
                        HttpRequest.newBuilder(baseUri.resolve("/health"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw PlatformException.unavailable("interrupted while the Zipkin server started", e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        close();
        throw PlatformException.unavailable(
                "the Zipkin server did not answer on " + baseUri + " within " + timeout.toSeconds() + " s; see "
                        + logFile,
                null);
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI baseUri() {
        return baseUri;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /**
     * The Zipkin server {@code emp server --zipkin} runs beside the platform: its jar from {@code tracing.zipkin-jar} or
     * the distribution, reading the Kafka topic too when the trace source is Kafka, logging into the data folder.
     */
    public static ZipkinProcess forServer(ServerConfig config, String tracing, Path dataDir) {
        Path jar = config.raw(HostKey.ZIPKIN_JAR)
                .map(Path::of)
                .or(() -> Optional.ofNullable(System.getProperty("emp.home"))
                        .map(home -> Path.of(home, "zipkin", "zipkin-server.jar")))
                .orElseThrow(
                        () -> PlatformException.invalid(
                                HostKey.ZIPKIN_JAR.key(),
                                "--zipkin needs the Zipkin server jar: run from the distribution (bin/emp server) or set tracing.zipkin-jar"));
        String kafka = tracing.equals("kafka")
                ? config.pluginSection("tracing", "kafka")
                        .get("bootstrap-servers")
                        .orElse(null)
                : null;
        return ZipkinProcess.start(
                jar,
                config.integer(HostKey.ZIPKIN_PORT, 1, 65535),
                kafka,
                dataDir.resolve("zipkin").resolve("zipkin.log"),
                Duration.ofSeconds(90));
    }
}
