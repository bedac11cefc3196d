package emp.tracing.http;

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
        return source.receive(SpanBytesEncoder.JSON_V2.encodeList(spans), "application/json", null);
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

            assertThat(source.receive(SampleSpans.proto3(), "application/x-protobuf", null))
                    .isEqualTo(4);
            assertThat(source.receive("[]".getBytes(StandardCharsets.UTF_8), "application/json", null))
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
            assertThat(source.receive(SampleSpans.json(), null, null)).isEqualTo(4);
            assertThat(source.check().detail()).startsWith("not started;").contains("4 waiting");

            source.start(sink);

            await().until(() -> sink.spans().size() == 4);
        }
    }

    @Test
    void replicasAreToldTheEndpointOnTheApiPort() {
        HttpTraceSource source = new HttpTraceSource(
                HttpTraceConfig.defaults(), URI.create("http://192.168.1.20:7070/"), Clock.systemUTC());

        assertThat(source.replicaEnvironment())
                .isEqualTo(Map.of("ZIPKIN_ENDPOINT", "http://192.168.1.20:7070/api/v2/spans"));
        assertThat(source.httpReceiver()).contains(source);
    }

    @Test
    void malformedBodiesAreRefusedAndCounted() {
        CollectingSink sink = new CollectingSink();
        try (HttpTraceSource source = source()) {
            source.start(sink);

            assertThatThrownBy(() -> source.receive("{".getBytes(StandardCharsets.UTF_8), "application/json", null))
                    .isInstanceOfSatisfying(
                            PlatformException.class,
                            e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID));
            assertThatThrownBy(() -> source.receive(SampleSpans.json(), "text/plain", null))
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
        assertThatThrownBy(() -> source.receive(SampleSpans.json(), "application/json", null))
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE));
    }

    @Test
    void forwardsEveryAcceptedBodyExactlyAsItCame() throws IOException {
        CollectingSink sink = new CollectingSink();
        byte[] gzippedJson = SampleSpans.gzip(SampleSpans.json());
        byte[] proto = SampleSpans.proto3();
        try (RecordingZipkin zipkin = new RecordingZipkin();
                HttpTraceSource source = source(100_000, zipkin.url(), HttpTraceConfig.DEFAULT_FORWARD_QUEUE_BYTES)) {
            source.start(sink);

            source.receive(gzippedJson, "application/json; charset=utf-8", "gzip");
            assertThatThrownBy(() ->
                            source.receive("not spans".getBytes(StandardCharsets.UTF_8), "application/json", null))
                    .isInstanceOf(PlatformException.class);
            source.receive(proto, "application/x-protobuf", null);

            await().untilAsserted(() -> assertThat(source.check().detail()).contains("2 bodies sent"));
            assertThat(zipkin.posts())
                    .extracting(
                            post -> ByteBuffer.wrap(post.body()),
                            RecordingZipkin.Post::contentType,
                            RecordingZipkin.Post::contentEncoding)
                    .containsExactlyInAnyOrder(
                            tuple(ByteBuffer.wrap(gzippedJson), "application/json; charset=utf-8", "gzip"),
                            tuple(ByteBuffer.wrap(proto), "application/x-protobuf", null));
            await().until(() -> sink.spans().size() == 8);
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
            assertThat(source.receive(body, "application/json", null)).isEqualTo(300);
            assertThat(source.receive(body, "application/json", null)).isEqualTo(300);

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

            assertThat(source.receive(SampleSpans.json(), "application/json", null))
                    .isEqualTo(4);

            await().until(() -> sink.spans().size() == 4);
            await().untilAsserted(() -> assertThat(source.check().detail())
                    .contains(
                            "forwarding to '" + nowhere + "'",
                            "1 failed (last: ConnectException: nothing accepts connections at 127.0.0.1:" + freePort));
            assertThat(source.check().healthy()).isTrue();
        }
    }
}
