package emp.tracing.http;

import static emp.tracing.http.SampleSpans.AGGREGATOR;
import static emp.tracing.http.SampleSpans.SONGS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.tracing.Span;
import emp.spi.tracing.SpanSink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import zipkin2.codec.SpanBytesEncoder;

class HttpTraceSourceTest {
    private static final URI API = URI.create("http://127.0.0.1:7070");

    private static HttpTraceSource source(int queueSpans, URI forwardUrl, int forwardQueueBytes) {
        return new HttpTraceSource(
                new HttpTraceConfig(
                        queueSpans, Optional.ofNullable(forwardUrl), forwardQueueBytes, Duration.ofSeconds(10)),
                API,
                Clock.systemUTC());
    }

    private static HttpTraceSource source() {
        return source(100_000, null, HttpTraceConfig.DEFAULT_FORWARD_QUEUE_BYTES);
    }

    private static int receive(HttpTraceSource source, List<zipkin2.Span> spans) {
        return source.receive(SpanBytesEncoder.JSON_V2.encodeList(spans), "application/json", null, SONGS);
    }

    private static List<String> ids(List<Span> spans) {
        return spans.stream().map(Span::id).toList();
    }

    private static String hexId(long id) {
        return String.format("%016x", id);
    }

    @Test
    void receivedSpansReachTheSink() {
        CollectingSink sink = new CollectingSink();
        try (HttpTraceSource source = source()) {
            source.start(sink);

            assertThat(source.receive(SampleSpans.proto3(AGGREGATOR), "application/x-protobuf", null, AGGREGATOR))
                    .isEqualTo(2);
            assertThat(source.receive(SampleSpans.proto3(SONGS), "application/x-protobuf", null, SONGS))
                    .isEqualTo(2);
            assertThat(source.receive("[]".getBytes(StandardCharsets.UTF_8), "application/json", null, SONGS))
                    .isZero();

            await().until(() -> sink.spans().size() == 4);
            assertThat(sink.spans()).isEqualTo(SampleSpans.emp());
            assertThat(source.check().healthy()).isTrue();
            await().untilAsserted(() -> assertThat(source.check().detail())
                    .contains("4 received, 4 delivered, 0 waiting (bound 100000), 0 dropped, 0 malformed"));
        }
    }

    @Test
    void spansReceivedBeforeTheStartWaitForIt() {
        CollectingSink sink = new CollectingSink();
        try (HttpTraceSource source = source()) {
            assertThat(source.receive(SampleSpans.json(AGGREGATOR), null, null, AGGREGATOR))
                    .isEqualTo(2);
            assertThat(source.receive(SampleSpans.json(SONGS), null, null, SONGS))
                    .isEqualTo(2);
            assertThat(source.check().detail()).startsWith("not started;").contains("4 waiting");

            source.start(sink);

            await().until(() -> sink.spans().size() == 4);
        }
    }

    @Test
    void replicasAreToldTheEndpointOnTheApiPort() {
        HttpTraceSource source = new HttpTraceSource(
                HttpTraceConfig.defaults(), URI.create("http://192.168.1.20:7070/"), Clock.systemUTC());

        assertThat(source.replicaEnvironment(SONGS, "c29uZ3M.mac-of_it"))
                .isEqualTo(
                        Map.of("ZIPKIN_ENDPOINT", "http://192.168.1.20:7070/api/v2/spans?emp_token=c29uZ3M.mac-of_it"));
        assertThat(source.httpReceiver()).contains(source);
    }

    @Test
    void aBodyWithAnotherAppsSpansIsRefusedWholeAndCounted() {
        CollectingSink sink = new CollectingSink();
        try (HttpTraceSource source = source()) {
            source.start(sink);

            // The sample trace holds songs's spans beside the aggregator's: the aggregator may not send them.
            assertThatThrownBy(() -> source.receive(SampleSpans.json(), "application/json", null, AGGREGATOR))
                    .isInstanceOfSatisfying(PlatformException.class, e -> {
                        assertThat(e.category()).isEqualTo(ErrorCategory.FORBIDDEN);
                        assertThat(e.getMessage())
                                .contains("names service 'alice/songs'", "its credential is app 'alice/aggregator''s");
                    });

            assertThat(source.received()).isZero();
            assertThat(source.check().detail()).contains("1 bodies refused for another app's spans");
            assertThat(sink.spans()).isEmpty();
        }
    }

    @Test
    void aSpanWithNoLocalServiceIsTheSendersOwn() {
        CollectingSink sink = new CollectingSink();
        zipkin2.Span anonymous = zipkin2.Span.newBuilder()
                .traceId(SampleSpans.TRACE_ID)
                .id(7)
                .name("get /")
                .kind(zipkin2.Span.Kind.SERVER)
                .timestamp(SampleSpans.START)
                .duration(1_000)
                .build();
        try (HttpTraceSource source = source()) {
            source.start(sink);

            assertThat(receive(source, List.of(anonymous))).isEqualTo(1);

            await().until(() -> sink.spans().size() == 1);
            assertThat(sink.spans().get(0).localService()).isEqualTo("alice/songs");
        }
    }

    @Test
    void malformedBodiesAreRefusedAndCounted() {
        CollectingSink sink = new CollectingSink();
        try (HttpTraceSource source = source()) {
            source.start(sink);

            assertThatThrownBy(
                            () -> source.receive("{".getBytes(StandardCharsets.UTF_8), "application/json", null, SONGS))
                    .isInstanceOfSatisfying(
                            PlatformException.class,
                            e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID));
            assertThatThrownBy(() -> source.receive(SampleSpans.json(SONGS), "text/plain", null, SONGS))
                    .hasMessageContaining("unsupported content type 'text/plain'");

            assertThat(source.malformed()).isEqualTo(2);
            assertThat(source.received()).isZero();
            assertThat(source.check().detail()).contains("2 malformed bodies");
            assertThat(source.check().healthy()).isTrue();
        }
    }

    @Test
    void pastTheBoundSpansAreDroppedAndCountedWithoutBlockingTheCaller() {
        CollectingSink delivered = new CollectingSink();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean sinkGaveUp = new AtomicBoolean();
        SpanSink blocking = spans -> {
            delivered.accept(spans);
            try {
                // Were receive() to wait for the sink, this would give up and the test would see it.
                if (!release.await(30, SECONDS)) {
                    sinkGaveUp.set(true);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (HttpTraceSource source = source(10, null, HttpTraceConfig.DEFAULT_FORWARD_QUEUE_BYTES)) {
            source.start(blocking);
            assertThat(receive(source, SampleSpans.numbered(0, 4))).isEqualTo(4);
            await().until(() -> delivered.spans().size() == 4);

            // The sink holds spans 1-4 and is stuck; the bound of 10 counts them.
            assertThat(receive(source, SampleSpans.numbered(4, 5))).isEqualTo(5);
            assertThat(receive(source, SampleSpans.numbered(9, 5))).isEqualTo(1);
            assertThat(receive(source, SampleSpans.numbered(14, 3))).isZero();

            assertThat(sinkGaveUp).isFalse();
            assertThat(source.dropped()).isEqualTo(7);
            assertThat(source.check().detail())
                    .contains("17 received", "0 delivered", "10 waiting (bound 10)", "7 dropped");

            release.countDown();
            await().until(() -> delivered.spans().size() == 10);
            assertThat(ids(delivered.spans()))
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 10)
                            .mapToObj(HttpTraceSourceTest::hexId)
                            .toList());
            await().untilAsserted(() -> assertThat(source.check().detail()).contains("10 delivered, 0 waiting"));

            assertThat(receive(source, SampleSpans.numbered(17, 2))).isEqualTo(2);
            await().until(() -> delivered.spans().size() == 12);
            assertThat(source.dropped()).isEqualTo(7);
        }
    }

    @Test
    void aSinkThatFailsLosesOnlyItsBatch() {
        CollectingSink delivered = new CollectingSink();
        AtomicInteger calls = new AtomicInteger();
        SpanSink failingOnce = spans -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("window closed");
            }
            delivered.accept(spans);
        };
        try (HttpTraceSource source = source()) {
            source.start(failingOnce);
            receive(source, SampleSpans.numbered(0, 3));
            await().until(() -> calls.get() == 1);

            receive(source, SampleSpans.numbered(3, 2));

            await().until(() -> delivered.spans().size() == 2);
            assertThat(ids(delivered.spans())).containsExactly(hexId(4), hexId(5));
            await().untilAsserted(() -> assertThat(source.check().detail()).contains("3 refused by the server"));
            assertThat(source.check().healthy()).isTrue();
        }
    }

    @Test
    void aClosedSourceRefusesBodiesAndReportsUnhealthy() {
        HttpTraceSource source = source();
        source.start(new CollectingSink());
        source.close();

        assertThat(source.check().healthy()).isFalse();
        assertThat(source.check().detail()).startsWith("closed;");
        assertThatThrownBy(() -> source.receive(SampleSpans.json(SONGS), "application/json", null, SONGS))
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE));
    }

    @Test
    void forwardsEveryAcceptedBodyExactlyAsItCame() throws IOException {
        CollectingSink sink = new CollectingSink();
        byte[] gzippedJson = SampleSpans.gzip(SampleSpans.json(AGGREGATOR));
        byte[] proto = SampleSpans.proto3(SONGS);
        try (RecordingZipkin zipkin = new RecordingZipkin();
                HttpTraceSource source = source(100_000, zipkin.url(), HttpTraceConfig.DEFAULT_FORWARD_QUEUE_BYTES)) {
            source.start(sink);

            source.receive(gzippedJson, "application/json; charset=utf-8", "gzip", AGGREGATOR);
            assertThatThrownBy(() -> source.receive(
                            "not spans".getBytes(StandardCharsets.UTF_8), "application/json", null, SONGS))
                    .isInstanceOf(PlatformException.class);
            assertThatThrownBy(() -> source.receive(SampleSpans.json(), "application/json", null, SONGS))
                    .as("another app's spans are not forwarded either")
                    .isInstanceOf(PlatformException.class);
            source.receive(proto, "application/x-protobuf", null, SONGS);

            await().untilAsserted(() -> assertThat(source.check().detail()).contains("2 bodies sent"));
            assertThat(zipkin.posts())
                    .extracting(
                            post -> ByteBuffer.wrap(post.body()),
                            RecordingZipkin.Post::contentType,
                            RecordingZipkin.Post::contentEncoding)
                    .containsExactlyInAnyOrder(
                            tuple(ByteBuffer.wrap(gzippedJson), "application/json; charset=utf-8", "gzip"),
                            tuple(ByteBuffer.wrap(proto), "application/x-protobuf", null));
            await().until(() -> sink.spans().size() == 4);
        }
    }

    @Test
    void bodiesPastTheForwardBoundAreCountedNotQueued() throws IOException {
        byte[] body = SampleSpans.jsonOf(300);
        assertThat(body.length)
                .isBetween(HttpTraceConfig.MIN_FORWARD_QUEUE_BYTES / 2, HttpTraceConfig.MIN_FORWARD_QUEUE_BYTES);
        try (RecordingZipkin zipkin = new RecordingZipkin();
                HttpTraceSource source = source(100_000, zipkin.url(), HttpTraceConfig.MIN_FORWARD_QUEUE_BYTES)) {
            zipkin.hold();
            source.start(new CollectingSink());

            // The first body waits on the held Zipkin; the second does not fit beside it.
            assertThat(source.receive(body, "application/json", null, SONGS)).isEqualTo(300);
            assertThat(source.receive(body, "application/json", null, SONGS)).isEqualTo(300);

            assertThat(source.check().detail()).contains("0 bodies sent, 1 not forwarded (queue full)");
            zipkin.release();
            await().untilAsserted(() -> assertThat(source.check().detail()).contains("1 bodies sent"));
            assertThat(zipkin.posts()).hasSize(1);
        }
    }

    @Test
    void forwardingToAnAbsentZipkinIsCountedAsFailed() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = socket.getLocalPort();
        }
        CollectingSink sink = new CollectingSink();
        URI nowhere = URI.create("http://127.0.0.1:" + freePort + "/api/v2/spans");
        try (HttpTraceSource source = source(100_000, nowhere, HttpTraceConfig.DEFAULT_FORWARD_QUEUE_BYTES)) {
            source.start(sink);

            assertThat(source.receive(SampleSpans.json(SONGS), "application/json", null, SONGS))
                    .isEqualTo(2);

            await().until(() -> sink.spans().size() == 2);
            await().untilAsserted(() -> assertThat(source.check().detail())
                    .contains(
                            "forwarding to '" + nowhere + "'",
                            "1 failed (last: ConnectException: nothing accepts connections at 127.0.0.1:" + freePort));
            assertThat(source.check().healthy()).isTrue();
        }
    }
}
