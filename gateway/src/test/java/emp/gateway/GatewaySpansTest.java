package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.tracing.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class GatewaySpansTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void aRequestAnsweredByItsReplicaIsAServerSpanOfTheGatewayForTheApp() {
        Span span = GatewaySpans.toSpan(new RoutedRequest(
                TRACE,
                "00f067aa0ba902b7",
                "a2fb4a1d1a96d312",
                "alice",
                "songs",
                "GET",
                "/songs/7",
                200,
                1_700_000_000_000_000L,
                1234,
                "songs-2",
                null,
                true));

        assertThat(span)
                .isEqualTo(new Span(
                        TRACE,
                        "00f067aa0ba902b7",
                        "a2fb4a1d1a96d312",
                        "get /songs/7",
                        Span.Kind.SERVER,
                        "emp-gateway",
                        "alice/songs",
                        1_700_000_000_000_000L,
                        1234,
                        Map.of(
                                "http.method", "GET",
                                "http.path", "/songs/7",
                                "http.status_code", "200",
                                "emp.app", "alice/songs",
                                "emp.instance", "songs-2"),
                        false));
    }

    @Test
    void failuresAreErrorSpans() {
        Span serverError = GatewaySpans.toSpan(request(500, "songs-1", null, 10));
        assertThat(serverError.tags()).containsEntry("error", "500").containsEntry("http.status_code", "500");

        Span noReplica = GatewaySpans.toSpan(request(503, null, "no ready replica", 10));
        assertThat(noReplica.tags())
                .containsEntry("error", "no ready replica")
                .containsEntry("http.status_code", "503")
                .doesNotContainKey("emp.instance");

        Span clientLeft =
                GatewaySpans.toSpan(request(0, "songs-1", "the client closed its connection before the answer", 10));
        assertThat(clientLeft.tags()).doesNotContainKey("http.status_code").containsKey("error");

        Span notFound = GatewaySpans.toSpan(request(404, "songs-1", null, 10));
        assertThat(notFound.isError())
                .as("a 4xx is the client's mistake, not the app's")
                .isFalse();
    }

    @Test
    void aZeroDurationBecomesOneMicrosecondSinceZipkinDropsZero() {
        assertThat(GatewaySpans.toSpan(request(200, "songs-1", null, 0)).durationMicros())
                .isEqualTo(1);
    }

    @Test
    void requestsBeyondTheBoundAreDroppedAndCountedAndTheRestDeliveredInOrder() {
        List<List<Span>> batches = new ArrayList<>();
        GatewaySpans spans = new GatewaySpans(batches::add, 3);

        for (int i = 0; i < 5; i++) {
            spans.routed(request(200 + i, "songs-1", null, 10));
        }
        spans.drain();

        assertThat(spans.dropped()).isEqualTo(2);
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0))
                .extracting(span -> span.tags().get("http.status_code"))
                .containsExactly("200", "201", "202");

        spans.routed(request(299, "songs-1", null, 10));
        spans.drain();
        assertThat(batches).hasSize(2);
        spans.drain();
        assertThat(batches).as("nothing queued, nothing handed over").hasSize(2);
    }

    @Test
    void theDrainingThreadHandsSpansOverAndCloseHandsOverTheRest() {
        List<Span> received = new CopyOnWriteArrayList<>();
        GatewaySpans spans = new GatewaySpans(received::addAll, 100);
        spans.start(Executors.defaultThreadFactory());

        spans.routed(request(200, "songs-1", null, 10));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(received).hasSize(1));

        spans.routed(request(201, "songs-1", null, 10));
        spans.close();
        assertThat(received).hasSize(2);
    }

    @Test
    void aRequestWhoseCallerSaidNotToSampleIsNotRecorded() {
        List<Span> received = new ArrayList<>();
        GatewaySpans spans = new GatewaySpans(received::addAll, 16);

        spans.routed(request(200, "songs-1", null, 10, false));
        spans.routed(request(201, "songs-1", null, 10, true));
        spans.drain();

        assertThat(received)
                .extracting(span -> span.tags().get("http.status_code"))
                .containsExactly("201");
    }

    @Test
    void aFailingSinkLosesOnlyItsBatch() {
        List<Span> received = new ArrayList<>();
        boolean[] fail = {true};
        GatewaySpans spans = new GatewaySpans(
                batch -> {
                    if (fail[0]) {
                        throw new IllegalStateException("sink broke");
                    }
                    received.addAll(batch);
                },
                10);

        spans.routed(request(200, "songs-1", null, 10));
        spans.drain();
        fail[0] = false;
        spans.routed(request(201, "songs-1", null, 10));
        spans.drain();

        assertThat(received)
                .extracting(span -> span.tags().get("http.status_code"))
                .containsExactly("201");
    }

    private static RoutedRequest request(int status, String backendId, String error, long durationMicros) {
        return request(status, backendId, error, durationMicros, true);
    }

    private static RoutedRequest request(
            int status, String backendId, String error, long durationMicros, boolean sampled) {
        return new RoutedRequest(
                TRACE,
                "00f067aa0ba902b7",
                null,
                "alice",
                "songs",
                "GET",
                "/",
                status,
                1_700_000_000_000_000L,
                durationMicros,
                backendId,
                error,
                sampled);
    }
}
