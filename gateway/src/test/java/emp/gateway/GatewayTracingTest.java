package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.Headers;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The gateway's own span per routed request, as its listener is told of it and as replicas see it in headers. */
class GatewayTracingTest extends GatewayTestSupport {
    private static final String TRACE_128 = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACE_64 = "463ac35c9f6413ad";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    private final BlockingQueue<RoutedRequest> routed = new LinkedBlockingQueue<>();

    @Test
    void aRequestWithoutTraceHeadersStartsATraceWhoseSpanIsTheReplicasParent() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())), routed::add);
        long before = nowMicros();
        long startNanos = System.nanoTime();

        HttpResponse<String> response = get(gateway, "/alice/hello/songs/7?full=yes");

        long elapsedMicros = (System.nanoTime() - startNanos) / 1_000;
        long after = nowMicros();
        assertThat(response.statusCode()).isEqualTo(200);
        RoutedRequest span = nextRouted();
        assertThat(span.traceId()).matches("[0-9a-f]{32}");
        assertThat(span.spanId()).matches("[0-9a-f]{16}");
        assertThat(span.parentSpanId()).isNull();
        assertThat(span.user()).isEqualTo("alice");
        assertThat(span.app()).isEqualTo("hello");
        assertThat(span.method()).isEqualTo("GET");
        assertThat(span.path()).isEqualTo("/songs/7");
        assertThat(span.status()).isEqualTo(200);
        assertThat(span.backendId()).isEqualTo("hello-1");
        assertThat(span.error()).isNull();
        assertThat(span.sampled()).isTrue();
        assertThat(span.startMicros()).isBetween(before, after);
        // the duration is read off the monotonic clock, so it is bounded by this test's monotonic elapsed time (the
        // wall clock that dates the start may step or slew by more than a request lasts)
        assertThat(span.durationMicros()).isBetween(0L, elapsedMicros);

        Headers seen = lastSeen(replica);
        assertThat(seen.getFirst("X-B3-TraceId")).isEqualTo(span.traceId());
        assertThat(seen.getFirst("X-B3-SpanId")).isEqualTo(span.spanId());
        assertThat(seen.containsKey("X-B3-ParentSpanId")).isFalse();
        assertThat(seen.getFirst("X-B3-Sampled")).isEqualTo("1");
        assertThat(seen.getFirst("traceparent")).isEqualTo("00-" + span.traceId() + "-" + span.spanId() + "-01");
    }

    @Test
    void b3MultiHeadersAreJoined() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())), routed::add);

        HttpResponse<String> response = send(
                gateway,
                HttpRequest.newBuilder()
                        .header("X-B3-TraceId", TRACE_64)
                        .header("X-B3-SpanId", CALLER_SPAN)
                        .header("X-B3-ParentSpanId", "1111111111111111")
                        .header("X-B3-Sampled", "1"),
                "/alice/hello/");

        assertThat(response.statusCode()).isEqualTo(200);
        RoutedRequest span = nextRouted();
        assertThat(span.traceId()).isEqualTo(TRACE_64);
        assertThat(span.parentSpanId()).isEqualTo(CALLER_SPAN);
        assertThat(span.spanId()).matches("[0-9a-f]{16}").isNotEqualTo(CALLER_SPAN);
        Headers seen = lastSeen(replica);
        assertThat(seen.get("X-B3-TraceId")).containsExactly(TRACE_64);
        assertThat(seen.get("X-B3-SpanId")).containsExactly(span.spanId());
        assertThat(seen.get("X-B3-ParentSpanId")).containsExactly(CALLER_SPAN);
        assertThat(seen.get("X-B3-Sampled")).containsExactly("1");
        assertThat(seen.get("traceparent"))
                .containsExactly("00-0000000000000000" + TRACE_64 + "-" + span.spanId() + "-01");
    }

    @Test
    void b3SingleHeaderIsJoinedAndReplacedByMultipleHeaders() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())), routed::add);

        send(gateway, HttpRequest.newBuilder().header("b3", TRACE_128 + "-" + CALLER_SPAN + "-1"), "/alice/hello/a");

        RoutedRequest span = nextRouted();
        assertThat(span.traceId()).isEqualTo(TRACE_128);
        assertThat(span.parentSpanId()).isEqualTo(CALLER_SPAN);
        Headers seen = lastSeen(replica);
        assertThat(seen.containsKey("b3"))
                .as("the caller's b3 would name the wrong parent")
                .isFalse();
        assertThat(seen.getFirst("X-B3-TraceId")).isEqualTo(TRACE_128);
        assertThat(seen.getFirst("X-B3-SpanId")).isEqualTo(span.spanId());
        assertThat(seen.getFirst("X-B3-ParentSpanId")).isEqualTo(CALLER_SPAN);
        assertThat(seen.getFirst("traceparent")).isEqualTo("00-" + TRACE_128 + "-" + span.spanId() + "-01");
    }

    @Test
    void aB3SingleHeaderOfZeroStartsATraceThatIsNotSampled() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())), routed::add);

        send(gateway, HttpRequest.newBuilder().header("b3", "0"), "/alice/hello/warm-up");

        RoutedRequest span = nextRouted();
        assertThat(span.sampled()).isFalse();
        assertThat(span.parentSpanId()).isNull();
        Headers seen = lastSeen(replica);
        assertThat(seen.getFirst("X-B3-Sampled")).isEqualTo("0");
        assertThat(seen.getFirst("traceparent")).endsWith("-00");
    }

    @Test
    void traceparentIsJoinedWithItsSamplingDecision() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())), routed::add);

        send(
                gateway,
                HttpRequest.newBuilder()
                        .header("traceparent", "00-" + TRACE_128 + "-" + CALLER_SPAN + "-00")
                        .header("tracestate", "vendor=opaque"),
                "/alice/hello/a");

        RoutedRequest span = nextRouted();
        assertThat(span.traceId()).isEqualTo(TRACE_128);
        assertThat(span.parentSpanId()).isEqualTo(CALLER_SPAN);
        assertThat(span.sampled()).as("the caller said not to sample").isFalse();
        Headers seen = lastSeen(replica);
        assertThat(seen.get("traceparent")).containsExactly("00-" + TRACE_128 + "-" + span.spanId() + "-00");
        assertThat(seen.getFirst("tracestate")).isEqualTo("vendor=opaque");
        assertThat(seen.getFirst("X-B3-TraceId")).isEqualTo(TRACE_128);
        assertThat(seen.getFirst("X-B3-SpanId")).isEqualTo(span.spanId());
        assertThat(seen.getFirst("X-B3-Sampled")).isEqualTo("0");
    }

    @Test
    void malformedTraceHeadersStartANewTraceAndTheRequestGoesThrough() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())), routed::add);

        HttpResponse<String> response = send(
                gateway,
                HttpRequest.newBuilder()
                        .header("traceparent", "00-not-a-trace-01")
                        .header("b3", "garbage")
                        .header("X-B3-TraceId", "xyz"),
                "/alice/hello/a");

        assertThat(response.statusCode()).isEqualTo(200);
        RoutedRequest span = nextRouted();
        assertThat(span.traceId()).matches("[0-9a-f]{32}");
        assertThat(span.parentSpanId()).isNull();
        Headers seen = lastSeen(replica);
        assertThat(seen.get("X-B3-TraceId")).containsExactly(span.traceId());
        assertThat(seen.get("traceparent")).containsExactly("00-" + span.traceId() + "-" + span.spanId() + "-01");
    }

    @Test
    void anAppWithoutReadyReplicasIsA503Span() throws Exception {
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of()), routed::add);

        assertThat(get(gateway, "/alice/hello/a").statusCode()).isEqualTo(503);

        RoutedRequest span = nextRouted();
        assertThat(span.status()).isEqualTo(503);
        assertThat(span.backendId()).isNull();
        assertThat(span.error()).isEqualTo("no ready replica");
        assertThat(span.durationMicros()).isNotNegative();
    }

    @Test
    void anUnreachableReplicaIsA502SpanAndARetryElsewhereIsOneSpan() throws Exception {
        TestBackend dead = backend("hello-1");
        TestBackend alive = backend("hello-2");
        dead.stop();
        Gateway onlyDead = gateway(new MapRouteTable().put("alice", "hello", List.of(dead.backend())), routed::add);

        assertThat(get(onlyDead, "/alice/hello/a").statusCode()).isEqualTo(502);

        RoutedRequest failed = nextRouted();
        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.backendId()).isEqualTo("hello-1");
        assertThat(failed.error()).contains("replica 'hello-1'", "could not be reached");

        Gateway both = gateway(
                new MapRouteTable().put("alice", "hello", List.of(dead.backend(), alive.backend())), routed::add);
        for (int i = 0; i < 4; i++) {
            assertThat(get(both, "/alice/hello/b").statusCode()).isEqualTo(200);
            RoutedRequest span = nextRouted();
            assertThat(span.status()).isEqualTo(200);
            assertThat(span.backendId()).isEqualTo("hello-2");
            assertThat(span.error()).isNull();
        }
        assertThat(routed).as("one span per request, retried or not").isEmpty();
    }

    @Test
    void requestsForNoAppAreNotRouted() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())), routed::add);

        try (RawHttp connection = new RawHttp(gateway.port())) {
            assertThat(connection
                            .exchange("GET /bob/nothing/ HTTP/1.1\r\nHost: x\r\n")
                            .status())
                    .isEqualTo(404);
            assertThat(connection
                            .exchange("GET /alice/hello/ HTTP/1.1\r\nHost: x\r\n")
                            .status())
                    .isEqualTo(200);
        }

        // Both went over one connection, so on one event loop in order: the 404 would have been told first.
        assertThat(nextRouted().path()).isEqualTo("/");
        assertThat(routed).isEmpty();
    }

    @Test
    void withoutAListenerTraceHeadersPassThroughUntouched() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())));
        String traceparent = "00-" + TRACE_128 + "-" + CALLER_SPAN + "-01";

        send(
                gateway,
                HttpRequest.newBuilder().header("traceparent", traceparent).header("X-B3-TraceId", TRACE_64),
                "/alice/hello/a");

        Headers seen = lastSeen(replica);
        assertThat(seen.get("traceparent")).containsExactly(traceparent);
        assertThat(seen.get("X-B3-TraceId")).containsExactly(TRACE_64);
        assertThat(seen.containsKey("X-B3-SpanId")).isFalse();
    }

    @Test
    void aFailingListenerDoesNotAffectRequests() throws Exception {
        TestBackend replica = backend("hello-1");
        Gateway gateway = gateway(new MapRouteTable().put("alice", "hello", List.of(replica.backend())), request -> {
            routed.add(request);
            throw new IllegalStateException("listener broke");
        });

        for (int i = 0; i < 3; i++) {
            assertThat(get(gateway, "/alice/hello/a").body()).isEqualTo("hello-1 GET /a");
            assertThat(nextRouted().status()).isEqualTo(200);
        }
    }

    private HttpResponse<String> send(Gateway gateway, HttpRequest.Builder request, String path) throws Exception {
        return http.send(
                request.uri(URI.create(gateway.baseUri() + path))
                        .timeout(HANG_GUARD)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The next request the listener was told of; it may be told just after the client has its answer. */
    private RoutedRequest nextRouted() throws InterruptedException {
        RoutedRequest next = routed.poll(HANG_GUARD.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            fail("the gateway's listener was not told of the request");
        }
        return next;
    }

    private static Headers lastSeen(TestBackend replica) {
        List<TestBackend.Seen> seen = replica.seen();
        assertThat(seen).isNotEmpty();
        return seen.get(seen.size() - 1).headers();
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
