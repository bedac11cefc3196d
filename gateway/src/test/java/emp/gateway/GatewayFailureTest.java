package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GatewayFailureTest extends GatewayTestSupport {
    @Test
    void stoppedReplicaStillListedIsRoutedAround() throws Exception {
        TestBackend a = backend("hello-1");
        TestBackend b = backend("hello-2");
        TestBackend dead = backend("hello-3");
        Gateway gateway =
                gateway(new MapRouteTable().put("alice", "hello", List.of(a.backend(), b.backend(), dead.backend())));
        assertThat(get(gateway, "/alice/hello/warm").statusCode()).isEqualTo(200);
        dead.stop();
        int deadBefore = dead.requests();

        for (String method : List.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE")) {
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> response =
                        send(gateway, method, "/alice/hello/x", HttpRequest.BodyPublishers.noBody());
                assertThat(response.statusCode()).as(method).isEqualTo(200);
                assertThat(response.headers().firstValue("X-Backend"))
                        .hasValueSatisfying(id -> assertThat(id).isIn("hello-1", "hello-2"));
            }
        }
        // Refused connections carried nothing, so even a request that is not idempotent is safe to send elsewhere.
        for (int i = 0; i < 6; i++) {
            assertThat(send(gateway, "POST", "/alice/hello/x", HttpRequest.BodyPublishers.ofString("order"))
                            .statusCode())
                    .isEqualTo(200);
        }
        assertThat(dead.requests()).isEqualTo(deadBefore);
    }

    @Test
    void replicaFailingAfterTheRequestIsRetriedOnlyForIdempotentMethods() throws Exception {
        ResettingBackend resetting = resettingBackend();
        TestBackend healthy = backend("hello-2");
        Gateway both = gateway(
                new MapRouteTable().put("alice", "hello", List.of(resetting.backend("hello-1"), healthy.backend())));

        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = get(both, "/alice/hello/x");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello-2 GET /x");
        }
        assertThat(resetting.requests())
                .as("requests the resetting replica took before the retry")
                .isPositive();

        Gateway onlyResetting =
                gateway(new MapRouteTable().put("alice", "hello", List.of(resetting.backend("hello-1"))));
        int before = resetting.requests();
        HttpResponse<String> post =
                send(onlyResetting, "POST", "/alice/hello/orders", HttpRequest.BodyPublishers.ofString("one order"));

        assertThat(post.statusCode()).isEqualTo(502);
        assertThat(post.body()).contains("app 'alice/hello'", "replica 'hello-1'", "POST is not retried");
        assertThat(resetting.requests() - before).isEqualTo(1);
    }

    @Test
    void idempotentRequestOnAKeptConnectionTheReplicaDroppedIsRetriedOnANewOne() throws Exception {
        ResettingBackend dropsKeptConnections = closeLater(ResettingBackend.start(1));
        Gateway gateway =
                gateway(new MapRouteTable().put("alice", "hello", List.of(dropsKeptConnections.backend("hello-1"))));

        HttpResponse<String> first = get(gateway, "/alice/hello/1");
        HttpResponse<String> second = get(gateway, "/alice/hello/2");

        assertThat(first.body()).isEqualTo("ok");
        assertThat(second.body()).isEqualTo("ok");
        // The second went on the kept connection, was dropped, and went again on a new one.
        assertThat(dropsKeptConnections.requests()).isEqualTo(3);
        assertThat(dropsKeptConnections.connections()).isEqualTo(2);

        HttpResponse<String> post =
                send(gateway, "POST", "/alice/hello/orders", HttpRequest.BodyPublishers.ofString("one order"));
        assertThat(post.statusCode()).isEqualTo(502);
        assertThat(post.body()).contains("POST is not retried");
        assertThat(dropsKeptConnections.requests()).isEqualTo(4);
    }

    @Test
    void onlyReplicaRefusingIs502() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Gateway gateway = gateway(new MapRouteTable()
                .put(
                        "alice",
                        "hello",
                        List.of(new Backend("hello-1", new InetSocketAddress("127.0.0.1", closedPort)))));

        HttpResponse<String> response = get(gateway, "/alice/hello/x");

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).contains("replica 'hello-1' at 127.0.0.1:" + closedPort, "could not be reached");
    }

    @Test
    void replicaTooSlowIs504AndTheGatewayGoesOn() throws Exception {
        TestBackend replica = backend("hello-1");
        GatewayConfig config =
                new GatewayConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofMillis(300), 1024 * 1024);
        Gateway gateway = gateway(config, new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        HttpResponse<String> slow = get(gateway, "/alice/hello/hold");

        assertThat(slow.statusCode()).isEqualTo(504);
        assertThat(slow.body()).contains("replica 'hello-1' of app 'alice/hello' did not answer within 300 ms");
        replica.release();
        assertThat(get(gateway, "/alice/hello/after").body()).isEqualTo("hello-1 GET /after");
    }

    @Test
    void largeBodyMakesTheRoundTrip() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));
        byte[] body = new byte[8 * 1024 * 1024];
        new Random(42).nextBytes(body);

        HttpResponse<byte[]> response = http.send(
                HttpRequest.newBuilder(gateway.baseUri().resolve("/alice/hello/echo"))
                        .timeout(HANG_GUARD)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(body);
    }

    @Test
    void bodyOverTheLimitIs413AndNeverReachesTheReplica() throws Exception {
        TestBackend replica = backend("hello-1");
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(30), 1024);
        Gateway gateway = gateway(config, new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        HttpResponse<String> tooBig =
                send(gateway, "POST", "/alice/hello/echo", HttpRequest.BodyPublishers.ofByteArray(new byte[4096]));
        HttpResponse<String> fits =
                send(gateway, "POST", "/alice/hello/echo", HttpRequest.BodyPublishers.ofString("x".repeat(1024)));

        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(tooBig.body()).contains("4096 bytes", "limit of 1024 bytes");
        assertThat(fits.statusCode()).isEqualTo(200);
        assertThat(fits.body()).hasSize(1024);
        assertThat(replica.seen()).extracting(TestBackend.Seen::bodyBytes).containsExactly(1024);
    }
}
