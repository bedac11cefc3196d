package emp.dist;

import static emp.dist.EmpCli.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emp.dist.EmpCli.Run;
import emp.testsupport.KafkaBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The songs stack on the local cluster, its spans through a real Kafka broker into EMP and into a real Zipkin server
 * ({@code emp server --zipkin}) reading the same topic: both see the same traces, with the same services and the same
 * parent/child structure, and {@code emp tracing} shows the aggregator's calls.
 */
class SongsTracingIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final Path DIST = EmpCli.DIST;
    private static final Path STACK = Path.of("../examples/songs/stack.json");

    @TempDir
    Path work;

    private KafkaBroker broker;
    private Process server;
    private final ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() throws Exception {
        load.shutdownNow();
        if (server != null && server.isAlive()) {
            server.destroy();
            server.waitFor(60, TimeUnit.SECONDS);
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void empAndZipkinSeeTheSameTracesThroughKafka() throws Exception {
        broker = KafkaBroker.started();
        broker.createTopic("zipkin", 1);
        int apiPort = freePort();
        int gatewayPort = freePort();
        int zipkinPort = freePort();
        ProcessBuilder builder = new ProcessBuilder(
                DIST.resolve("bin/emp").toString(),
                "server",
                "--api-port",
                String.valueOf(apiPort),
                "--gateway-port",
                String.valueOf(gatewayPort),
                "--data-dir",
                work.resolve("data").toString(),
                "--tracing",
                "kafka",
                "--set",
                "tracing.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "--zipkin",
                "--set",
                "tracing.zipkin-port=" + zipkinPort,
                "--set",
                "tracing.window=60s");
        builder.environment().put("EMP_HOME", work.resolve("server-home").toString());
        builder.redirectErrorStream(true)
                .redirectOutput(work.resolve("server.log").toFile());
        server = builder.start();
        String api = "http://127.0.0.1:" + apiPort;
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!server.isAlive()) {
                        throw new AssertionError("the server exited: " + Files.readString(work.resolve("server.log")));
                    }
                    return status(api + "/healthz") == 200;
                });

        Path home = Files.createDirectories(work.resolve("alice"));
        assertThat(emp(home, "create-account", "--server", api, "--username", "alice", "--password", "correct horse")
                        .exit())
                .isZero();
        assertThat(emp(home, "login", "--server", api, "--username", "alice", "--password", "correct horse")
                        .exit())
                .isZero();
        Run deploy = emp(home, "deploy", STACK.toString(), "--timeout", "180s");
        assertThat(deploy.exit()).as(deploy.out() + deploy.err()).isZero();

        String aggregator = "http://127.0.0.1:" + gatewayPort + "/alice/aggregator/";
        for (int i = 0; i < 20; i++) {
            assertThat(status(aggregator)).isEqualTo(200);
        }
        // keep requests flowing while the spans travel (reporter, broker, settling), so a slow machine still finds
        // fresh ones in the window
        load.scheduleAtFixedRate(() -> status(aggregator), 0, 250, TimeUnit.MILLISECONDS);

        JsonNode[] traces = new JsonNode[1];
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    traces[0] = JSON.readTree(
                            emp(home, "tracing", "aggregator", "-o", "json").out());
                    return traces[0].get("spans").asLong() >= 10
                            && traces[0].get("edges").size() >= 3;
                });
        Set<String> callees = new TreeSet<>();
        traces[0].get("edges").forEach(edge -> callees.add(edge.get("to").asText()));
        assertThat(callees).contains("alice/users", "alice/playlists", "alice/auth");
        assertThat(traces[0].get("trace_url").asText()).startsWith("http://127.0.0.1:" + zipkinPort + "/zipkin/");

        JsonNode recent = JSON.readTree(get(api + "/v1/apps/aggregator/traces?limit=1", token(home)));
        JsonNode empTrace = recent.get(0);
        String traceId = empTrace.get("trace_id").asText();
        Set<String> empStructure = structure(empTrace.get("spans"), "service", "parent_id");
        assertThat(services(empStructure)).as("services in EMP's view").hasSizeGreaterThanOrEqualTo(3);

        JsonNode[] zipkinTrace = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    HttpResponse<String> response = HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + zipkinPort + "/api/v2/trace/" + traceId))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        return false;
                    }
                    zipkinTrace[0] = JSON.readTree(response.body());
                    return structure(zipkinTrace[0], null, "parentId").size()
                            == appSpans(empStructure).size();
                });
        assertThat(structure(zipkinTrace[0], null, "parentId"))
                .as("Zipkin's trace " + traceId)
                .isEqualTo(appSpans(empStructure));
    }

    /** Each span as "id parent service kind"; Zipkin's spans name their service in localEndpoint. */
    private static Set<String> structure(JsonNode spans, String serviceField, String parentField) {
        Set<String> structure = new TreeSet<>();
        for (JsonNode span : spans) {
            String service = serviceField != null
                    ? span.path(serviceField).asText()
                    : span.path("localEndpoint").path("serviceName").asText();
            structure.add(
                    span.path("id").asText() + " " + span.path(parentField).asText("-") + " " + service + " "
                            + span.path("kind").asText("-"));
        }
        return structure;
    }

    /** The spans the apps reported; the gateway's own spans go to EMP only. */
    private static Set<String> appSpans(Set<String> structure) {
        Set<String> apps = new TreeSet<>();
        for (String span : structure) {
            if (!span.contains(" emp-gateway ")) {
                apps.add(span);
            }
        }
        return apps;
    }

    private static Set<String> services(Set<String> structure) {
        Set<String> services = new HashSet<>();
        for (String span : structure) {
            services.add(span.split(" ")[2]);
        }
        services.remove("emp-gateway");
        return services;
    }

    private static String token(Path home) throws IOException {
        return JSON.readTree(Files.readString(home.resolve("config")))
                .get("token")
                .asText();
    }

    private static int status(String url) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String get(String url, String token) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private Run emp(Path home, String... args) throws Exception {
        return EmpCli.run(work, home, args);
    }
}
