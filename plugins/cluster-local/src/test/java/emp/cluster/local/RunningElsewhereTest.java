package emp.cluster.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import emp.spi.AppRef;
import emp.spi.PluginConfig;
import emp.spi.app.AppSpec;
import emp.spi.app.HealthProbe;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.testsupport.HelloJar;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that stands by runs no replicas itself; its gateway routes to the replicas that the leading server runs,
 * as the store recorded them.
 */
class RunningElsewhereTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final AppRef HELLO = new AppRef("ana", "hello");

    @TempDir
    Path dataDir;

    private LocalClusterManager manager;
    private HttpServer replica;

    @BeforeEach
    void start() throws Exception {
        manager = new LocalClusterManager(
                LocalClusterConfig.from(
                        new PluginConfig(LocalClusterConfig.SECTION, Map.of("gateway-port", "0", "sandbox", "none"))),
                dataDir,
                Clock.systemUTC(),
                spans -> {});
        manager.start();
        replica = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        replica.createContext("/", exchange -> {
            byte[] body = ("elsewhere " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        replica.start();
    }

    @AfterEach
    void stop() {
        manager.close();
        replica.stop(0);
    }

    private static InstanceStatus instance(String id, InstanceState state, URI endpoint) {
        return new InstanceStatus(id, state, endpoint, OptionalLong.empty(), 0, Instant.now(), null);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(manager.entryPoint().orElseThrow().resolve(path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theGatewayRoutesToTheReadyReplicasAnotherServerRuns() throws Exception {
        URI endpoint = URI.create("http://127.0.0.1:" + replica.getAddress().getPort());
        assertThat(get("/ana/hello/songs").statusCode()).isEqualTo(404);
        assertThat(manager.endpoint(HELLO)).isEmpty();

        manager.runningElsewhere(Map.of(
                HELLO,
                List.of(
                        instance("hello-1", InstanceState.READY, endpoint),
                        instance("hello-2", InstanceState.STARTING, URI.create("http://127.0.0.1:1")))));

        HttpResponse<String> routed = get("/ana/hello/songs");
        assertThat(routed.statusCode()).isEqualTo(200);
        assertThat(routed.body()).isEqualTo("elsewhere /songs");
        assertThat(manager.endpoint(HELLO))
                .contains(manager.entryPoint().orElseThrow().resolve("/ana/hello/"));
        assertThat(manager.status(HELLO).deployed())
                .as("it runs none of them itself")
                .isFalse();

        manager.runningElsewhere(Map.of(HELLO, List.of(instance("hello-1", InstanceState.CRASHED, endpoint))));
        assertThat(get("/ana/hello/songs").statusCode()).as("known, none ready").isEqualTo(503);

        manager.runningElsewhere(Map.of());
        assertThat(get("/ana/hello/songs").statusCode()).as("forgotten").isEqualTo(404);
        assertThat(manager.endpoint(HELLO)).isEmpty();
    }

    @Test
    void replicasItStillRunsOfAnAppThatRunsElsewhereNowAreStopped() throws Exception {
        AppSpec spec = new AppSpec(
                "hello",
                null,
                null,
                null,
                null,
                null,
                List.of("java", "-jar", HelloJar.path().toString()),
                null,
                null,
                null,
                null,
                new HealthProbe("/health"),
                null,
                null,
                null,
                null);
        manager.deploy(new AppDeployment(HELLO, spec, 1, Map.of()));
        await().atMost(Duration.ofSeconds(60)).until(() -> manager.status(HELLO).ready() == 1);
        long pid = manager.status(HELLO).instances().get(0).pid().getAsLong();

        URI endpoint = URI.create("http://127.0.0.1:" + replica.getAddress().getPort());
        manager.runningElsewhere(Map.of(HELLO, List.of(instance("hello-1", InstanceState.READY, endpoint))));

        assertThat(manager.apps()).isEmpty();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
        assertThat(get("/ana/hello/songs").body()).isEqualTo("elsewhere /songs");
    }
}
