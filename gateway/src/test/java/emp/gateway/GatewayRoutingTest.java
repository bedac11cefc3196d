package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayRoutingTest extends GatewayTestSupport {
    @Test
    void stripsTheAppPrefixAndKeepsTheQuery() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        assertThat(get(gateway, "/alice/hello/greet/bob?lang=fr&n=1").body())
                .isEqualTo("hello-1 GET /greet/bob?lang=fr&n=1");
        assertThat(get(gateway, "/alice/hello").body()).isEqualTo("hello-1 GET /");
        assertThat(get(gateway, "/alice/hello/").body()).isEqualTo("hello-1 GET /");
        assertThat(get(gateway, "/alice/hello?x=1").body()).isEqualTo("hello-1 GET /?x=1");
        assertThat(get(gateway, "/alice/hello/a%20b/c%2Fd").body()).isEqualTo("hello-1 GET /a%20b/c%2Fd");
    }

    @Test
    void sendsTheMethodAndBodyOn() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        HttpResponse<String> response =
                send(gateway, "PUT", "/alice/hello/echo", HttpRequest.BodyPublishers.ofString("some body"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("some body");
        assertThat(replica.seen().get(0).method()).isEqualTo("PUT");
    }

    @Test
    void headAnswersWithoutABodyAndTheConnectionGoesOn() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        HttpResponse<String> head = send(gateway, "HEAD", "/alice/hello/x", HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> after = get(gateway, "/alice/hello/y");

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(after.body()).isEqualTo("hello-1 GET /y");
    }

    @Test
    void unknownAppIs404NamingIt() throws Exception {
        Gateway gateway = gateway(new MapRouteTable());

        HttpResponse<String> response = get(gateway, "/alice/nope/x");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("no app 'alice/nope'");
    }

    @Test
    void pathWithoutUserAndAppIs404SayingTheShape() throws Exception {
        Gateway gateway = gateway(new MapRouteTable());

        for (String path : List.of("/", "/alice", "/alice/")) {
            HttpResponse<String> response = get(gateway, path);
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.body()).as(path).contains("'" + path + "'").contains("/{user}/{app}/");
        }
    }

    @Test
    void appWithoutReadyReplicaIs503SayingSo() throws Exception {
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of()));

        HttpResponse<String> response = get(gateway, "/alice/hello/x");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(response.body())
                .isEqualTo("app 'alice/hello' has no replica and none is wanted: it is stopped or scaled to 0;"
                        + " 'emp start' or 'emp scale' brings it back\n");
    }

    @Test
    void setsForwardedHeadersAndTheReplicaAsHost() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        HttpRequest request = HttpRequest.newBuilder(gateway.baseUri().resolve("/alice/hello/x"))
                .header("X-Forwarded-For", "203.0.113.7")
                .header("X-Forwarded-Prefix", "/forged")
                .build();
        assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);

        var headers = replica.seen().get(0).headers();
        assertThat(headers.getFirst("X-Forwarded-For")).isEqualTo("203.0.113.7, 127.0.0.1");
        assertThat(headers.getFirst("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(headers.getFirst("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + gateway.port());
        assertThat(headers.getFirst("X-Forwarded-Prefix")).isEqualTo("/alice/hello");
        assertThat(headers.getFirst("Host"))
                .isEqualTo("127.0.0.1:" + replica.backend().address().getPort());
    }

    @Test
    void hopByHopHeadersStayOnTheirHop() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Answer answer = client.exchange("GET /alice/hello/x HTTP/1.1\r\n"
                    + "Host: shop.example\r\n"
                    + "Connection: keep-alive, X-Hop\r\n"
                    + "X-Hop: only for the gateway\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "TE: trailers\r\n"
                    + "Upgrade: h2c\r\n"
                    + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "X-End-To-End: kept\r\n");
            assertThat(answer.status()).isEqualTo(200);
        }

        var headers = replica.seen().get(0).headers();
        assertThat(headers.getFirst("X-End-To-End")).isEqualTo("kept");
        assertThat(headers.getFirst("X-Forwarded-Host")).isEqualTo("shop.example");
        for (String hop : List.of("X-Hop", "Keep-Alive", "TE", "Upgrade", "Proxy-Authorization", "Connection")) {
            assertThat(headers.containsKey(hop)).as(hop).isFalse();
        }
    }

    @Test
    void clientConnectionCarriesManyRequests() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        try (RawHttp client = new RawHttp(gateway.port())) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Answer answer = client.exchange("GET /alice/hello/n" + i + " HTTP/1.1\r\nHost: gw\r\n");
                assertThat(answer.body()).isEqualTo("hello-1 GET /n" + i);
            }
            RawHttp.Answer last = client.exchange("GET /alice/hello/end HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n");
            assertThat(last.headers()).containsEntry("connection", "close");
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void chunkedAnswerReachesTheClientAndTheConnectionsStay() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        for (int i = 0; i < 5; i++) {
            assertThat(get(gateway, "/alice/hello/chunked").body()).isEqualTo("part0;part1;part2;");
        }
        assertThat(replica.connections()).isEqualTo(1);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send("GET /alice/hello/first HTTP/1.1\r\nHost: gw\r\n\r\n"
                    + "GET /nobody/here HTTP/1.1\r\nHost: gw\r\n\r\n"
                    + "GET /alice/hello/third HTTP/1.1\r\nHost: gw\r\n");
            assertThat(client.read().body()).isEqualTo("hello-1 GET /first");
            assertThat(client.read().status()).isEqualTo(404);
            assertThat(client.read().body()).isEqualTo("hello-1 GET /third");
        }
    }

    @Test
    void http10ClientGetsItsAnswerAndTheConnectionClosed() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Answer answer = client.exchange("GET /alice/hello/old HTTP/1.0\r\n");
            assertThat(answer.body()).isEqualTo("hello-1 GET /old");
            assertThat(client.closedByPeer()).isTrue();
        }
        assertThat(replica.seen().get(0).headers().getFirst("X-Forwarded-Host"))
                .isEqualTo("127.0.0.1:" + gateway.port());
    }

    @Test
    void replicaConnectionsAreReused() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));

        int requests = 200;
        for (int i = 0; i < requests; i++) {
            assertThat(get(gateway, "/alice/hello/" + i).statusCode()).isEqualTo(200);
        }

        assertThat(replica.requests()).isEqualTo(requests);
        assertThat(replica.connections()).isLessThan(requests / 20);
    }
}
