package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class GatewayBalancingTest extends GatewayTestSupport {
    @Test
    void spreadsRequestsEvenlyOverReplicas() throws Exception {
        TestBackend a = backend("hello-1");
        TestBackend b = backend("hello-2");
        TestBackend c = backend("hello-3");
        Gateway gateway =
                gateway(new MapRouteTable().put("alice", "hello", List.of(a.backend(), b.backend(), c.backend())));

        for (int i = 0; i < 30; i++) {
            assertThat(get(gateway, "/alice/hello/x").statusCode()).isEqualTo(200);
        }

        // One request at a time leaves every replica equally idle, so the tie-break takes them in turn.
        assertThat(List.of(a.requests(), b.requests(), c.requests())).containsExactly(10, 10, 10);
    }

    @Test
    void prefersTheReplicaWithFewerRequestsInFlight() throws Exception {
        TestBackend slow = backend("slow");
        TestBackend idle = backend("idle");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(slow.backend(), idle.backend())));

        // Park one request on the slow replica; one sent to the idle replica answers at once, so send until one sticks.
        CompletableFuture<HttpResponse<String>> parked = null;
        for (int i = 0; i < 10 && slow.holding() == 0; i++) {
            CompletableFuture<HttpResponse<String>> sent = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(gateway.baseUri() + "/alice/hello/hold"))
                            .timeout(HANG_GUARD)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            await().until(() -> sent.isDone() || slow.holding() > 0);
            if (!sent.isDone()) {
                parked = sent;
            }
        }
        assertThat(parked).as("a request parked on the slow replica").isNotNull();
        int idleBefore = idle.requests();

        for (int i = 0; i < 20; i++) {
            assertThat(get(gateway, "/alice/hello/quick").body()).isEqualTo("idle GET /quick");
        }
        assertThat(idle.requests() - idleBefore).isEqualTo(20);
        assertThat(slow.holding()).isEqualTo(1);

        slow.release();
        assertThat(parked.get().body()).isEqualTo("slow GET /hold");
    }
}
