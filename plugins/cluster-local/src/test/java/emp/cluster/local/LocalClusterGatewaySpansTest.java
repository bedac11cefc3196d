package emp.cluster.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.PluginConfig;
import emp.spi.app.AppSpec;
import emp.spi.app.HealthProbe;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.spi.tracing.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's span per routed request, end to end: a real replica process behind the local cluster's gateway, and
 * the spans the manager hands to the platform's sink.
 */
class LocalClusterGatewaySpansTest {
    /** Only a guard against a hung test; no assertion depends on it. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dataDir;

    private final List<Span> received = new CopyOnWriteArrayList<>();
    private final List<String> sinkThreads = new CopyOnWriteArrayList<>();
    private LocalClusterManager manager;

    @BeforeEach
    void start() {
        manager = new LocalClusterManager(
                LocalClusterConfig.from(new PluginConfig(
                        LocalClusterConfig.SECTION,
                        Map.of("gateway-port", "0", "health-interval", "50ms", "sandbox", "none"))),
                dataDir,
                Clock.systemUTC(),
                spans -> {
                    sinkThreads.add(Thread.currentThread().getName());
                    received.addAll(spans);
                });
        manager.start();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void everyRoutedRequestIsAGatewayServerSpanThatTheReplicaSeesAsItsParent() throws Exception {
        AppRef app = new AppRef("owner", "app");
        manager.deploy(new AppDeployment(app, echoSpec("app"), 1, Map.of("EMP_SERVICE_NAME", "owner/app")));
        String instance = awaitReadyInstance(app);
        URI endpoint = manager.endpoint(app).orElseThrow();

        HttpResponse<String> fresh = get(HttpRequest.newBuilder(endpoint.resolve("songs?limit=3")));
        HttpResponse<String> joined = get(HttpRequest.newBuilder(endpoint.resolve("songs"))
                .header("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-01"));

        assertThat(fresh.statusCode()).isEqualTo(200);
        assertThat(joined.statusCode()).isEqualTo(200);
        await().atMost(HANG_GUARD).untilAsserted(() -> assertThat(received).hasSize(2));
        assertThat(sinkThreads).allSatisfy(thread -> assertThat(thread).startsWith("cluster-local-spans"));

        Map<String, String> freshHeaders = TraceHeadersEchoService.parse(fresh.body());
        Span root = spanWithId(freshHeaders.get("x-b3-spanid"));
        assertThat(root.traceId()).matches("[0-9a-f]{32}").isEqualTo(freshHeaders.get("x-b3-traceid"));
        assertThat(root.parentId()).isNull();
        assertThat(freshHeaders).doesNotContainKey("x-b3-parentspanid");
        assertThat(freshHeaders.get("traceparent")).isEqualTo("00-" + root.traceId() + "-" + root.id() + "-01");
        assertGatewaySpan(root, instance, "200");

        Map<String, String> joinedHeaders = TraceHeadersEchoService.parse(joined.body());
        Span child = spanWithId(joinedHeaders.get("x-b3-spanid"));
        assertThat(child.traceId()).isEqualTo(TRACE);
        assertThat(child.parentId()).isEqualTo(CALLER_SPAN);
        assertThat(joinedHeaders)
                .containsEntry("x-b3-traceid", TRACE)
                .containsEntry("x-b3-parentspanid", CALLER_SPAN)
                .containsEntry("x-b3-sampled", "1")
                .containsEntry("traceparent", "00-" + TRACE + "-" + child.id() + "-01");
        assertGatewaySpan(child, instance, "200");
    }

    @Test
    void anAppWithoutReadyReplicasIsAnErrorSpan() throws Exception {
        AppRef app = new AppRef("owner", "idle");
        manager.deploy(new AppDeployment(app, echoSpec("idle"), 0, Map.of("EMP_SERVICE_NAME", "owner/idle")));

        HttpResponse<String> response =
                get(HttpRequest.newBuilder(manager.endpoint(app).orElseThrow().resolve("x"))
                        .header("X-B3-TraceId", TRACE)
                        .header("X-B3-SpanId", CALLER_SPAN));

        assertThat(response.statusCode()).isEqualTo(503);
        await().atMost(HANG_GUARD).untilAsserted(() -> assertThat(received).hasSize(1));
        Span span = received.get(0);
        assertThat(span.traceId()).isEqualTo(TRACE);
        assertThat(span.parentId()).isEqualTo(CALLER_SPAN);
        assertThat(span.kind()).isEqualTo(Span.Kind.SERVER);
        assertThat(span.localService()).isEqualTo("emp-gateway");
        assertThat(span.remoteService()).isEqualTo("owner/idle");
        assertThat(span.tags())
                .containsEntry("http.status_code", "503")
                .containsEntry("error", "no ready replica")
                .containsEntry("emp.app", "owner/idle")
                .doesNotContainKey("emp.instance");
        assertThat(span.isError()).isTrue();
    }

    private void assertGatewaySpan(Span span, String instance, String status) {
        assertThat(span.kind()).isEqualTo(Span.Kind.SERVER);
        assertThat(span.localService()).isEqualTo("emp-gateway");
        assertThat(span.remoteService()).isEqualTo("owner/app");
        assertThat(span.name()).isEqualTo("get /songs");
        assertThat(span.shared()).isFalse();
        assertThat(span.durationMicros()).isPositive();
        assertThat(span.tags())
                .containsOnly(
                        Map.entry("http.method", "GET"),
                        Map.entry("http.path", "/songs"),
                        Map.entry("http.status_code", status),
                        Map.entry("emp.app", "owner/app"),
                        Map.entry("emp.instance", instance));
        assertThat(span.isError()).isFalse();
    }

    private Span spanWithId(String id) {
        assertThat(id).as("the span id the replica was sent").matches("[0-9a-f]{16}");
        return received.stream()
                .filter(span -> span.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no gateway span with id " + id + " in " + received));
    }

    private String awaitReadyInstance(AppRef app) {
        await().atMost(HANG_GUARD)
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(manager.status(app).instances())
                        .extracting(InstanceStatus::state)
                        .containsExactly(InstanceState.READY));
        return manager.status(app).instances().get(0).id();
    }

    private static AppSpec echoSpec(String name) {
        return new AppSpec(
                name,
                null,
                null,
                null,
                null,
                null,
                TraceHeadersEchoService.command(),
                null,
                null,
                null,
                null,
                new HealthProbe("/health"),
                null,
                null,
                null,
                null);
    }

    private static HttpResponse<String> get(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(HANG_GUARD).build(), HttpResponse.BodyHandlers.ofString());
    }
}
