package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LoadSecond;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GatewayQueueTest extends GatewayTestSupport {
    private static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void aReplicaWithConcurrencyOneNeverHasTwoRequestsAndNoClientGetsA5xx() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable()
                .put("alice", "hello", new Route(List.of(replica.backend()), 1, QUEUE_TIMEOUT, true)));

        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int client = 0; client < 20; client++) {
            sent.add(sendAsync(gateway, "/alice/hello/sleep?ms=5"));
        }
        for (CompletableFuture<HttpResponse<String>> response : sent) {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }

        assertThat(replica.mostInFlight()).isEqualTo(1);
        assertThat(replica.requests()).isEqualTo(20);
        // Every request is counted once it is a whole second old.
        await().untilAsserted(() -> {
            LoadFigures load = gateway.load("alice", "hello").orElseThrow();
            assertThat(load.seconds().stream().mapToLong(LoadSecond::arrivals).sum())
                    .isEqualTo(20);
            assertThat(load.seconds().stream()
                            .mapToLong(LoadSecond::completions)
                            .sum())
                    .isEqualTo(20);
            assertThat(load.seconds().stream().mapToLong(LoadSecond::rejected).sum())
                    .isZero();
        });
        LoadFigures load = gateway.load("alice", "hello").orElseThrow();
        assertThat(load.inFlight()).isZero();
        assertThat(load.queued()).isZero();
        assertThat(load.limitPerReplica()).isEqualTo(1);
        assertThat(load.limitLearned()).isFalse();
        assertThat(load.serviceMs(LoadFigures.MAX_SECONDS)).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aFullQueueIs503WithRetryAfterAndLosesNoRequestItTook() throws Exception {
        TestBackend replica = backend("hello-1");
        GatewayConfig config =
                new GatewayConfig("127.0.0.1", 0, Duration.ofSeconds(2), Duration.ofSeconds(30), 1024 * 1024, 1);
        Gateway gateway = gateway(
                config,
                new MapRouteTable()
                        .put("alice", "hello", new Route(List.of(replica.backend()), 1, QUEUE_TIMEOUT, true)));
        CompletableFuture<HttpResponse<String>> held = sendAsync(gateway, "/alice/hello/hold");
        await().until(() -> replica.holding() == 1);
        CompletableFuture<HttpResponse<String>> waiting = sendAsync(gateway, "/alice/hello/after");
        await().until(() -> gateway.load("alice", "hello").orElseThrow().queued() == 1);

        HttpResponse<String> refused = get(gateway, "/alice/hello/third");

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After"))
                .hasValueSatisfying(
                        seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 60));
        assertThat(refused.body()).contains("app 'alice/hello'", "1 requests waiting", "retry later");
        replica.release();
        assertThat(held.get().statusCode()).isEqualTo(200);
        assertThat(waiting.get().body()).isEqualTo("hello-1 GET /after");
    }

    @Test
    void aRequestNotGivenAReplicaWithinTheQueueTimeoutIs503WithRetryAfter() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable()
                .put("alice", "hello", new Route(List.of(replica.backend()), 1, Duration.ofMillis(300), true)));
        CompletableFuture<HttpResponse<String>> held = sendAsync(gateway, "/alice/hello/hold");
        await().until(() -> replica.holding() == 1);

        HttpResponse<String> timedOut = get(gateway, "/alice/hello/late");

        assertThat(timedOut.statusCode()).isEqualTo(503);
        assertThat(timedOut.headers().firstValue("Retry-After")).contains("1");
        assertThat(timedOut.body()).contains("every replica busy", "queue timeout");
        assertThat(replica.seen()).extracting(TestBackend.Seen::uri).doesNotContain("/late");
        replica.release();
        assertThat(held.get().statusCode()).isEqualTo(200);
    }

    @Test
    void aQueuedRequestGoesToAReplicaThatBecomesReady() throws Exception {
        MapRouteTable routes = new MapRouteTable().put("alice", "hello", new Route(List.of(), 0, QUEUE_TIMEOUT, true));
        Gateway gateway = gateway(routes);
        CompletableFuture<HttpResponse<String>> waiting = sendAsync(gateway, "/alice/hello/first");
        await().until(() -> gateway.load("alice", "hello").orElseThrow().queued() == 1);
        Thread.sleep(50);
        assertThat(gateway.load("alice", "hello").orElseThrow().oldestQueuedMs())
                .isGreaterThanOrEqualTo(50);

        TestBackend replica = backend("hello-1");
        routes.put("alice", "hello", new Route(List.of(replica.backend()), 0, QUEUE_TIMEOUT, true));
        gateway.routesChanged("alice", "hello");

        assertThat(waiting.get().statusCode()).isEqualTo(200);
        assertThat(waiting.get().body()).isEqualTo("hello-1 GET /first");
        assertThat(gateway.load("alice", "hello").orElseThrow().queued()).isZero();
    }

    @Test
    void waitingRequestsOfAnAppThatStopsAre503AtOnce() throws Exception {
        MapRouteTable routes = new MapRouteTable().put("alice", "hello", new Route(List.of(), 0, QUEUE_TIMEOUT, true));
        Gateway gateway = gateway(routes);
        CompletableFuture<HttpResponse<String>> waiting = sendAsync(gateway, "/alice/hello/first");
        await().until(() -> gateway.load("alice", "hello").orElseThrow().queued() == 1);

        routes.remove("alice", "hello");
        gateway.routesChanged("alice", "hello");

        assertThat(waiting.get().statusCode()).isEqualTo(503);
        assertThat(waiting.get().body()).contains("has no replica and none is wanted");
    }

    @Test
    void aReplicaOutOfTheRouteIsGivenNoNewRequestAndFinishesWhatItHas() throws Exception {
        TestBackend leaving = backend("hello-1");
        TestBackend staying = backend("hello-2");
        MapRouteTable routes = new MapRouteTable()
                .put("alice", "hello", new Route(List.of(leaving.backend()), 1, QUEUE_TIMEOUT, true));
        Gateway gateway = gateway(routes);
        CompletableFuture<HttpResponse<String>> held = sendAsync(gateway, "/alice/hello/hold");
        await().until(() -> leaving.holding() == 1);

        routes.put("alice", "hello", new Route(List.of(staying.backend()), 1, QUEUE_TIMEOUT, true));
        gateway.routesChanged("alice", "hello");
        assertThat(gateway.inFlight("alice", "hello", leaving.backend().address()))
                .isEqualTo(1);
        for (int i = 0; i < 10; i++) {
            assertThat(get(gateway, "/alice/hello/x").body()).isEqualTo("hello-2 GET /x");
        }

        leaving.release();
        assertThat(held.get().body()).isEqualTo("hello-1 GET /hold");
        assertThat(gateway.inFlight("alice", "hello", leaving.backend().address()))
                .isZero();
        assertThat(leaving.requests()).isEqualTo(1);
    }

    @Test
    void aSerialReplicaHasItsLearnedLimitLoweredAndNoClientGetsA5xx() throws Exception {
        TestBackend serial = closeLater(TestBackend.startSerial("hello-1"));
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(serial.backend())));

        for (int round = 0; round < 10; round++) {
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int client = 0; client < 40; client++) {
                sent.add(sendAsync(gateway, "/alice/hello/sleep?ms=2"));
            }
            for (CompletableFuture<HttpResponse<String>> response : sent) {
                assertThat(response.get().statusCode()).isEqualTo(200);
            }
        }

        LoadFigures load = gateway.load("alice", "hello").orElseThrow();
        assertThat(load.limitLearned()).isTrue();
        assertThat(load.limitPerReplica()).isLessThan(LearnedLimit.INITIAL);
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(Gateway gateway, String path) {
        return http.sendAsync(
                HttpRequest.newBuilder(URI.create(gateway.baseUri() + path))
                        .timeout(HANG_GUARD)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
