package emp.tracing.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.plugins.zipkin.ZipkinSpans;
import emp.spi.tracing.Span;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import zipkin2.codec.SpanBytesEncoder;

class SpanMessageDecoderTest {
    private static final List<zipkin2.Span> TRACE = SampleSpans.trace("463ac35c9f6413ad48485a3953bb6124");
    private static final List<Span> EMP_TRACE = ZipkinSpans.toEmp(TRACE);

    @Test
    void readsListsInEveryEncodingZipkinAccepts() {
        for (SpanBytesEncoder encoder : List.of(
                SpanBytesEncoder.JSON_V2, SpanBytesEncoder.PROTO3, SpanBytesEncoder.THRIFT, SpanBytesEncoder.JSON_V1)) {
            assertThat(SpanMessageDecoder.decode(encoder.encodeList(TRACE)))
                    .as(encoder.name())
                    .containsExactlyElementsOf(EMP_TRACE);
        }
    }

    @Test
    void readsAMessageFromTheBufferKafkaHandsOverInPlace() {
        for (SpanBytesEncoder encoder : List.of(SpanBytesEncoder.JSON_V2, SpanBytesEncoder.PROTO3)) {
            byte[] message = encoder.encodeList(TRACE);
            byte[] record = new byte[message.length + 9];
            System.arraycopy(message, 0, record, 5, message.length);
            ByteBuffer value = ByteBuffer.wrap(record, 5, message.length).slice();

            assertThat(SpanMessageDecoder.decode(value)).as(encoder.name()).containsExactlyElementsOf(EMP_TRACE);
        }
    }

    @Test
    void readsASingleJsonSpanOfEitherVersion() {
        zipkin2.Span span = TRACE.get(1);

        assertThat(SpanMessageDecoder.decode(SpanBytesEncoder.JSON_V2.encode(span)))
                .containsExactly(ZipkinSpans.toEmp(span));
        // v1 has no kind: a client span is written as annotations and read back as the same client span.
        assertThat(SpanMessageDecoder.decode(SpanBytesEncoder.JSON_V1.encode(span)))
                .singleElement()
                .satisfies(read -> {
                    assertThat(read.kind()).isEqualTo(Span.Kind.CLIENT);
                    assertThat(read.id()).isEqualTo(span.id());
                    assertThat(read.remoteService()).isEqualTo("alice/back");
                });
    }

    @Test
    void aJsonV2ListWithoutEndpointsOrTagsKeepsItsKindAndShared() {
        // Zipkin's detector takes such a list for v1, whose codec has neither field: the server span would be lost as
        // one.
        zipkin2.Span bare = zipkin2.Span.newBuilder()
                .traceId("463ac35c9f6413ad48485a3953bb6124")
                .parentId("a000000000000001")
                .id("a000000000000002")
                .name("get /users")
                .kind(zipkin2.Span.Kind.SERVER)
                .shared(true)
                .timestamp(SampleSpans.NOW_MICROS)
                .duration(5_000)
                .build();

        assertThat(SpanMessageDecoder.decode(SpanBytesEncoder.JSON_V2.encodeList(List.of(bare))))
                .singleElement()
                .satisfies(read -> {
                    assertThat(read.kind()).isEqualTo(Span.Kind.SERVER);
                    assertThat(read.shared()).isTrue();
                    assertThat(read).isEqualTo(ZipkinSpans.toEmp(bare));
                });
    }

    @Test
    void readsAnEmptyJsonList() {
        assertThat(SpanMessageDecoder.decode("[]".getBytes(StandardCharsets.UTF_8)))
                .isEmpty();
    }

    @Test
    void refusesWhatIsNotSpansSayingWhy() {
        for (String garbage : List.of("", "x", "hello, world", "[{\"traceId\":", "{\"nope\": true}", "\n\u0000oops")) {
            assertThatThrownBy(() -> SpanMessageDecoder.decode(garbage.getBytes(StandardCharsets.UTF_8)))
                    .as(garbage)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("null");
        }
    }

    @Test
    void convertsEveryFieldToEmpsSpan() {
        List<Span> converted = TRACE.stream().map(ZipkinSpans::toEmp).toList();

        assertThat(converted)
                .containsExactly(
                        new Span(
                                "463ac35c9f6413ad48485a3953bb6124",
                                "a000000000000001",
                                null,
                                "get /songs",
                                Span.Kind.SERVER,
                                "alice/front",
                                null,
                                SampleSpans.NOW_MICROS,
                                9_000,
                                Map.of("http.path", "/songs"),
                                false),
                        new Span(
                                "463ac35c9f6413ad48485a3953bb6124",
                                "a000000000000002",
                                "a000000000000001",
                                "get /users",
                                Span.Kind.CLIENT,
                                "alice/front",
                                "alice/back",
                                SampleSpans.NOW_MICROS + 1_000,
                                6_000,
                                Map.of("error", "503"),
                                false),
                        new Span(
                                "463ac35c9f6413ad48485a3953bb6124",
                                "a000000000000002",
                                "a000000000000001",
                                "get /users",
                                Span.Kind.SERVER,
                                "alice/back",
                                null,
                                SampleSpans.NOW_MICROS + 1_500,
                                5_000,
                                Map.of(),
                                true));
        assertThat(converted.get(1).isError()).isTrue();
    }

    @Test
    void aSpanWithoutTimestampOrDurationIsKeptWithZeros() {
        zipkin2.Span bare = zipkin2.Span.newBuilder().traceId("1").id("2").build();

        Span converted = ZipkinSpans.toEmp(bare);

        assertThat(converted.traceId()).isEqualTo("0000000000000001");
        assertThat(converted.timestampMicros()).isZero();
        assertThat(converted.durationMicros()).isZero();
        assertThat(converted.kind()).isNull();
        assertThat(converted.name()).isNull();
    }
}
