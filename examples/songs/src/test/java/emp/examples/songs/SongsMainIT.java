package emp.examples.songs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import emp.testsupport.KafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built jar as the local cluster runs it: one process per service, configured by environment variables. */
class SongsMainIT {
    private static final Path JAR = Path.of(System.getProperty("songs.jar", "target/songs.jar"));

    @TempDir
    Path work;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutAServiceNameItSaysHowToRunIt() throws Exception {
        Process process = java(Map.of(), "no-service").start();

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(Files.readString(work.resolve("no-service.err")))
                .contains("songs: no service named; usage: java -jar songs.jar users|songs|playlists|auth|aggregator");
    }

    @Test
    void theFiveProcessesReportOneTraceAndSendTheirLastSpansWhenStopped() throws Exception {
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        // Each body's query and the services of its spans: each process posts its own, with its own credential.
        List<String> credentialed = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        collector.createContext("/api/v2/spans", exchange -> {
            try (exchange) {
                InputStream body = exchange.getRequestBody();
                if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    body = new GZIPInputStream(body);
                }
                String query = exchange.getRequestURI().getRawQuery();
                Json.MAPPER.readTree(body).forEach(span -> {
                    received.add(span);
                    credentialed.add(query + " "
                            + span.path("localEndpoint").path("serviceName").asText());
                });
                exchange.sendResponseHeaders(202, -1);
            }
        });
        collector.start();
        try {
            Map<ServiceKind, Integer> ports = new EnumMap<>(ServiceKind.class);
            for (ServiceKind kind : ServiceKind.values()) {
                ports.put(kind, freePort());
            }
            for (ServiceKind kind : ServiceKind.values()) {
                Map<String, String> env = new HashMap<>(Map.of(
                        "PORT", Integer.toString(ports.get(kind)),
                        "EMP_SERVICE_NAME", "alice/" + kind.id(),
                        "ZIPKIN_ENDPOINT",
                                "http://127.0.0.1:" + collector.getAddress().getPort()
                                        + "/api/v2/spans?emp_token=credential-of-" + kind.id()));
                for (ServiceKind dependency : kind.dependencies()) {
                    env.put(dependency.urlVariable(), "http://127.0.0.1:" + ports.get(dependency));
                }
                processes.add(java(env, kind.id(), kind.id()).start());
            }
            for (ServiceKind kind : ServiceKind.values()) {
                Awaitility.await(kind.id() + " healthy")
                        .atMost(Duration.ofSeconds(60))
                        .ignoreExceptions()
                        .until(() -> Http.get("http://127.0.0.1:" + ports.get(kind) + "/health")
                                        .statusCode()
                                == 200);
            }

            HttpResponse<String> page = Http.get("http://127.0.0.1:" + ports.get(ServiceKind.AGGREGATOR) + "/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("Late night jazz", "Blue in Green");

            // SIGTERM, as the platform stops a replica: the shutdown hook sends what is still queued.
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            collector.stop(0);
        }

        assertThat(received).hasSize(11);
        assertThat(received.stream().map(span -> span.path("traceId").asText()).distinct())
                .hasSize(1);
        assertThat(received.stream()
                        .map(span ->
                                span.path("localEndpoint").path("serviceName").asText())
                        .collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(
                        "alice/aggregator", "alice/users", "alice/songs", "alice/playlists", "alice/auth");
        assertThat(received).filteredOn(span -> !span.has("parentId")).hasSize(1);
        assertThat(credentialed)
                .as("ZIPKIN_ENDPOINT posted to as given, its ?emp_token= kept")
                .hasSize(11)
                .allMatch(entry -> entry.matches("emp_token=credential-of-(\\w+) alice/\\1"));
        for (ServiceKind kind : ServiceKind.values()) {
            assertThat(Files.readString(work.resolve(kind.id() + ".out")))
                    .contains("service '" + kind.id() + "' as 'alice/" + kind.id() + "'")
                    .contains("listening on http://127.0.0.1:")
                    .contains("spans to http://127.0.0.1:");
        }
    }

    @Test
    void overKafkaEachSpanMessageCarriesTheServicesCredentialInItsHeader() throws Exception {
        try (KafkaBroker broker = KafkaBroker.started()) {
            broker.createTopic(SpanReporting.KAFKA_TOPIC, 1);
            int port = freePort();
            Process users = java(
                            Map.of(
                                    "PORT",
                                    Integer.toString(port),
                                    "EMP_SERVICE_NAME",
                                    "alice/users",
                                    "KAFKA_ADDRESS",
                                    broker.bootstrapServers(),
                                    "EMP_SPAN_TOKEN",
                                    "credential-of-users"),
                            "users-kafka",
                            "users")
                    .start();
            processes.add(users);
            Awaitility.await("users healthy")
                    .atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .until(() ->
                            Http.get("http://127.0.0.1:" + port + "/health").statusCode() == 200);
            assertThat(Http.get("http://127.0.0.1:" + port + "/3").statusCode()).isEqualTo(200);

            // SIGTERM: the shutdown hook sends what is queued, through the interceptor that adds the header.
            users.destroy();
            assertThat(users.waitFor(30, TimeUnit.SECONDS)).isTrue();

            List<ConsumerRecord<byte[], byte[]>> records = KafkaRecords.read(broker.bootstrapServers(), 1);
            assertThat(records)
                    .isNotEmpty()
                    .allSatisfy(record -> assertThat(new String(
                                    record.headers()
                                            .lastHeader("emp-span-token")
                                            .value(),
                                    StandardCharsets.UTF_8))
                            .isEqualTo("credential-of-users"));
            assertThat(Files.readString(work.resolve("users-kafka.out"))).contains("with header 'emp-span-token'");
        }
    }

    @Test
    void stackShPrintsTheStackWithTheJarsAbsolutePath() throws Exception {
        Process process = new ProcessBuilder("bash", "stack.sh")
                .redirectError(work.resolve("stack.err").toFile())
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();

        JsonNode stack = Json.MAPPER.readTree(out);
        assertThat(stack.findValuesAsText("name"))
                .containsExactlyInAnyOrder("users", "songs", "auth", "playlists", "aggregator");
        String jar = JAR.toAbsolutePath().normalize().toString();
        for (JsonNode app : stack) {
            List<String> command = new ArrayList<>();
            app.path("command").forEach(part -> command.add(part.asText()));
            assertThat(command)
                    .startsWith("java")
                    .endsWith(jar, app.path("name").asText());
            assertThat(app.path("health").path("path").asText()).isEqualTo("/health");
        }
        JsonNode aggregator = app(stack, "aggregator");
        assertThat(aggregator.path("dependencies").toString())
                .isEqualTo("[\"users\",\"songs\",\"playlists\",\"auth\"]");
        assertThat(aggregator.path("quality_metrics").toString())
                .isEqualTo("[{\"metric\":\"latency_p95_ms\",\"values\":\"200\"}]");
        assertThat(app(stack, "playlists").path("dependencies").toString()).isEqualTo("[\"songs\"]");
    }

    @Test
    void stackShSaysHowToBuildTheJarWhenItIsMissing() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "stack.sh").redirectErrorStream(true);
        builder.environment().put("SONGS_JAR", work.resolve("missing.jar").toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(out).contains("stack.sh: no jar at '" + work.resolve("missing.jar") + "'; build it with");
    }

    private ProcessBuilder java(Map<String, String> env, String logName, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(work.resolve(logName + ".out").toFile())
                .redirectError(work.resolve(logName + ".err").toFile());
        builder.environment()
                .keySet()
                .removeIf(name -> name.equals("SONGS_SERVICE")
                        || name.equals("KAFKA_ADDRESS")
                        || name.equals("ZIPKIN_ENDPOINT")
                        || name.equals("EMP_SPAN_TOKEN")
                        || name.equals("PORT"));
        builder.environment().putAll(env);
        return builder;
    }

    private static JsonNode app(JsonNode stack, String name) {
        for (JsonNode app : stack) {
            if (app.path("name").asText().equals(name)) {
                return app;
            }
        }
        throw new AssertionError("no app '" + name + "' in " + stack);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
