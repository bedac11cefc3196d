package emp.host.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.TestServer;
import emp.host.TestServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spans posted to the API port in Zipkin's format, through the real tracing-http plugin, into an app's figures. */
class SpanCollectionTest {
    @TempDir
    static Path dataDir;

    static TestServer server;
    static String token;

    @BeforeAll
    static void start() {
        server = TestServer.start(
                dataDir, Map.of("tracing.settle", "200ms", "tracing.ui-url", "http://127.0.0.1:9411/zipkin"));
        token = server.signUp("tracy");
        for (String app : new String[] {"front", "back"}) {
            assertThat(server.send("POST", "/v1/apps", token, TestServer.helloSpec(app, "\"replicas\": 0"))
                            .status())
                    .isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void postedSpansBecomeTheAppsFiguresAndEdges() {
        long now = System.currentTimeMillis() * 1000;
        StringBuilder frontSpans = new StringBuilder("[");
        StringBuilder backSpans = new StringBuilder("[");
        for (int i = 0; i < 20; i++) {
            String trace = String.format("%032x", i + 1);
            long start = now - 1_000_000 + i * 10_000;
            long duration = (i + 1) * 1000L;
            if (i > 0) {
                frontSpans.append(',');
                backSpans.append(',');
            }
            frontSpans
                    .append(TestServer.zipkinSpan(trace, "a" + i, null, "SERVER", "tracy/front", start, 2 * duration))
                    .append(',')
                    .append(TestServer.zipkinSpan(
                            trace, "b" + i, "a" + i, "CLIENT", "tracy/front", start + 10, duration));
            backSpans.append(
                    TestServer.zipkinSpan(trace, "c" + i, "b" + i, "SERVER", "tracy/back", start + 20, duration - 20));
        }
        // Each app reports its own spans, with its own credential, as its replicas do.
        assertThat(server.postSpans(
                                server.spanToken(token, "front"),
                                frontSpans.append(']').toString())
                        .status())
                .isEqualTo(202);
        assertThat(server.postSpans(
                                server.spanToken(token, "back"),
                                backSpans.append(']').toString())
                        .status())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> received() >= 60);

        JsonNode[] report = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            report[0] =
                    server.send("GET", "/v1/apps/front/tracing", token, null).json();
            return report[0].get("spans").asLong() == 20;
        });
        JsonNode front = report[0];
        assertThat(front.get("app").asText()).isEqualTo("tracy/front");
        assertThat(front.get("p95_ms").asDouble()).isBetween(35.0, 42.0);
        assertThat(front.get("self_ms").asDouble())
                .as("front waits on back for half its time")
                .isBetween(10.0, 11.0);
        // 20 requests over the seconds of the window that have them (the report rounds the rate)
        assertThat(front.get("rate").asDouble() * front.get("window_seconds").asDouble())
                .isCloseTo(20.0, within(0.05));
        assertThat(front.get("edges")).singleElement().satisfies(edge -> {
            assertThat(edge.get("to").asText()).isEqualTo("tracy/back");
            assertThat(edge.get("rate").asDouble()).isEqualTo(front.get("rate").asDouble());
        });
        assertThat(front.get("trace_url").asText())
                .isEqualTo("http://127.0.0.1:9411/zipkin/?serviceName=tracy%2Ffront");
        assertThat(server.send("GET", "/v1/apps/back/tracing", token, null)
                        .json()
                        .get("spans")
                        .asLong())
                .isEqualTo(20);
    }

    @Test
    void theGatewayMeasuresAnAppThatEmitsNoSpans() {
        assertThat(server.send("POST", "/v1/apps", token, TestServer.helloSpec("plain", ""))
                        .status())
                .isEqualTo(201);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> server.send("GET", "/v1/apps/plain", token, null)
                                .json()
                                .get("replicas")
                                .get("ready")
                                .asInt()
                        == 1);
        java.net.URI url = server.gateway().resolve("/tracy/plain/");
        for (int i = 0; i < 10; i++) {
            assertThat(TestServer.call(java.net.http.HttpRequest.newBuilder(url).build())
                            .statusCode())
                    .isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> server.send("GET", "/v1/apps/plain/tracing", token, null)
                                .json()
                                .get("spans")
                                .asLong()
                        == 10);
        JsonNode plain =
                server.send("GET", "/v1/apps/plain/tracing", token, null).json();
        assertThat(plain.get("p50_ms").asDouble()).isPositive();
        assertThat(plain.get("error_rate").asDouble()).isZero();
    }

    @Test
    void malformedBodiesAre400AndOtherUsersSeeNothing() {
        Reply malformed = server.postSpans(server.spanToken(token, "front"), "[{\"traceId\": 12");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");
        assertThat(malformed.detail()).contains("JSON");
        String other = server.signUp("snoop");
        assertThat(server.send("GET", "/v1/apps/front/tracing", other, null).status())
                .isEqualTo(404);
    }

    @Test
    void spansWithoutACredentialOrInAnotherAppsNameAreRefusedAndCountedAndChangeNothing() {
        String mallory = server.signUp("mallory");
        assertThat(server.send("POST", "/v1/apps", mallory, TestServer.helloSpec("web", "\"replicas\": 0"))
                        .status())
                .isEqualTo(201);
        long now = System.currentTimeMillis() * 1000;
        StringBuilder forged = new StringBuilder("[");
        for (int i = 0; i < 50; i++) {
            forged.append(i == 0 ? "" : ",")
                    .append(TestServer.zipkinSpan(
                            String.format("%032x", 9000 + i), "f" + i, null, "SERVER", "tracy/back", now, 1_500_000));
        }
        String body = forged.append(']').toString();

        Reply anonymous = server.postSpans(null, body);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.detail()).contains("span credential");
        Reply wrong = server.postSpans("bWFsbG9yeS93ZWI.bm90LWEtbWFj", body);
        assertThat(wrong.status()).isEqualTo(401);
        Reply inTheVictimsName = server.postSpans(server.spanToken(mallory, "web"), body);
        assertThat(inTheVictimsName.status()).isEqualTo(403);
        assertThat(inTheVictimsName.detail()).contains("'tracy/back'", "'mallory/web''s");
        assertThat(server.send("GET", "/v1/apps/back/span-credential", mallory, null)
                        .status())
                .as("another user's app has no credential for mallory")
                .isEqualTo(404);

        String detail = server.send("GET", "/healthz", null, null)
                .json()
                .get("checks")
                .get("span-ingest")
                .get("detail")
                .asText();
        assertThat(detail).contains("2 span bodies refused without a good credential", "1 for carrying another app's");
        // None of the 1.5 s spans reached the victim's window.
        assertThat(server.send("GET", "/v1/apps/back/tracing", token, null)
                        .json()
                        .get("p95_ms")
                        .asDouble())
                .isLessThan(1000);
    }

    private static long received() {
        String detail = server.send("GET", "/healthz", null, null)
                .json()
                .get("checks")
                .get("aggregation")
                .get("detail")
                .asText();
        java.util.regex.Matcher matcher =
                java.util.regex.Pattern.compile("spans_received=(\\d+)").matcher(detail);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }
}
