package emp.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emp.dist.EmpCli.Run;
import emp.testsupport.KafkaBroker;
import java.io.IOException;
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
    private static final ObjectMapper JSON = Http.JSON;
    private static final Path STACK = Path.of("../examples/songs/stack.json");

    @TempDir
    Path work;

    private KafkaBroker broker;
    private ServerProcess server;
    private final ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() throws Exception {
        load.shutdownNow();
        if (server != null) {
            server.stop();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void empAndZipkinSeeTheSameTracesThroughKafka() throws Exception {
        broker = KafkaBroker.started();
        broker.createTopic("zipkin", 1);
        int zipkinPort = EmpCli.freePort();
        server = ServerProcess.start(
                "emp",
                work,
                Duration.ofSeconds(120),
                "--tracing",
                "kafka",
                "--set",
                "tracing.kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "--zipkin",
                "--set",
                "tracing.zipkin-port=" + zipkinPort,
                "--set",
                "tracing.window=60s");
        String api = server.api();

        Path home = Files.createDirectories(work.resolve("alice"));
        assertThat(emp(home, "create-account", "--server", api, "--username", "alice", "--password", "correct horse")
                        .exit())
                .isZero();
        assertThat(emp(home, "login", "--server", api, "--username", "alice", "--password", "correct horse")
                        .exit())
                .isZero();
        Run deploy = emp(home, "deploy", STACK.toString(), "--timeout", "180s");
        assertThat(deploy.exit()).as(deploy.out() + deploy.err()).isZero();

        String aggregator = server.gateway() + "/alice/aggregator/";
        for (int i = 0; i < 20; i++) {
            assertThat(Http.status(aggregator)).isEqualTo(200);
        }
        // keep requests flowing while the spans travel (reporter, broker, settling), so a slow machine still finds
        // fresh ones in the window
        load.scheduleAtFixedRate(() -> Http.status(aggregator), 0, 250, TimeUnit.MILLISECONDS);

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

        JsonNode recent = JSON.readTree(
                Http.expect(Http.send("GET", api + "/v1/apps/aggregator/traces?limit=1", token(home), null), 200));
        JsonNode empTrace = recent.get(0);
        String traceId = empTrace.get("trace_id").asText();
        Set<String> empStructure = structure(empTrace.get("spans"), "service", "parent_id");
        assertThat(services(empStructure)).as("services in EMP's view").hasSizeGreaterThanOrEqualTo(3);

        JsonNode[] zipkinTrace = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    HttpResponse<String> response =
                            Http.get("http://127.0.0.1:" + zipkinPort + "/api/v2/trace/" + traceId);
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

    private Run emp(Path home, String... args) throws Exception {
        return EmpCli.run(work, home, args);
    }
}
