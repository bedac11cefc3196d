package emp.tracing.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.tracing.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class SpanBodyDecoderTest {
    private static List<Span> decode(byte[] body, String contentType, String contentEncoding) {
        return SpanBodyDecoder.decode(body, contentType, contentEncoding);
    }

    private static void assertInvalid(ThrowingCallable call, String... messageParts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
            assertThat(e.getMessage()).contains(messageParts);
        });
    }

    @Test
    void jsonV2BecomesEmpSpans() {
        assertThat(decode(SampleSpans.json(), "application/json", null)).isEqualTo(SampleSpans.emp());
    }

    @Test
    void proto3BecomesTheSameSpansAsJson() {
        byte[] json = SampleSpans.json();
        byte[] proto = SampleSpans.proto3();
        assertThat(proto).isNotEqualTo(json);

        assertThat(decode(proto, "application/x-protobuf", null))
                .isEqualTo(decode(json, "application/json", null))
                .isEqualTo(SampleSpans.emp());
    }

    @Test
    void noContentTypeMeansJson() {
        assertThat(decode(SampleSpans.json(), null, null)).isEqualTo(SampleSpans.emp());
    }

    @Test
    void contentTypeParametersAndCaseAreIgnored() {
        assertThat(decode(SampleSpans.json(), "Application/JSON; charset=utf-8", null))
                .isEqualTo(SampleSpans.emp());
        assertThat(decode(SampleSpans.proto3(), "application/x-protobuf;proto=zipkin.proto3.ListOfSpans", null))
                .isEqualTo(SampleSpans.emp());
    }

    @Test
    void gzippedBodiesOfEitherFormatAreInflated() {
        assertThat(decode(SampleSpans.gzip(SampleSpans.json()), "application/json", "gzip"))
                .isEqualTo(SampleSpans.emp());
        assertThat(decode(SampleSpans.gzip(SampleSpans.proto3()), "application/x-protobuf", "GZIP"))
                .isEqualTo(SampleSpans.emp());
    }

    @Test
    void identityEncodingIsNoEncoding() {
        assertThat(decode(SampleSpans.json(), "application/json", "identity")).isEqualTo(SampleSpans.emp());
    }

    @Test
    void emptyListsAndEmptyBodiesAreNoSpans() {
        assertThat(decode("[]".getBytes(StandardCharsets.UTF_8), "application/json", null))
                .isEmpty();
        assertThat(decode(new byte[0], "application/json", null)).isEmpty();
        assertThat(decode(new byte[0], "application/x-protobuf", "gzip")).isEmpty();
        assertThat(decode(SampleSpans.gzip(new byte[0]), "application/x-protobuf", "gzip"))
                .isEmpty();
    }

    @Test
    void spanWithoutTimestampOrDurationIsKeptWithZeros() {
        Span local = decode(SampleSpans.json(), "application/json", null).get(3);

        assertThat(local.timestampMicros()).isZero();
        assertThat(local.durationMicros()).isZero();
        assertThat(local.kind()).isNull();
    }

    @Test
    void malformedJsonSaysWhy() {
        assertInvalid(
                () -> decode("[{\"traceId\":".getBytes(StandardCharsets.UTF_8), "application/json", null),
                "the body is not a JSON v2 span list",
                "ends too soon at byte 12");
        assertInvalid(
                () -> decode("{\"spans\":[]}".getBytes(StandardCharsets.UTF_8), "application/json", null),
                "the body is not a JSON v2 span list",
                "'[' expected at byte 0");
    }

    @Test
    void spanMissingItsIdsSaysWhich() {
        assertInvalid(
                () -> decode("[{\"name\":\"get /\"}]".getBytes(StandardCharsets.UTF_8), "application/json", null),
                "the body is not a JSON v2 span list",
                "traceId");
    }

    @Test
    void truncatedProto3SaysWhy() {
        byte[] proto = SampleSpans.proto3();
        byte[] truncated = Arrays.copyOf(proto, proto.length - 7);

        assertInvalid(
                () -> decode(truncated, "application/x-protobuf", null),
                "the body is not a proto3 span list",
                "Truncated");
    }

    @Test
    void jsonSentAsProtobufIsRefused() {
        assertInvalid(
                () -> decode(SampleSpans.json(), "application/x-protobuf", null), "the body is not a proto3 span list");
    }

    @Test
    void unsupportedContentTypeNamesItAndTheTypesToSend() {
        assertInvalid(
                () -> decode(SampleSpans.json(), "text/plain", null),
                "unsupported content type 'text/plain'",
                "application/json",
                "application/x-protobuf");
    }

    @Test
    void unsupportedContentEncodingNamesIt() {
        assertInvalid(
                () -> decode(SampleSpans.json(), "application/json", "br"),
                "unsupported content encoding 'br'",
                "gzip");
    }

    @Test
    void bodyThatIsNotGzipDespiteTheHeaderSaysSo() {
        assertInvalid(
                () -> decode(SampleSpans.json(), "application/json", "gzip"),
                "the body is not valid gzip",
                "Content-Encoding");
        byte[] gzip = SampleSpans.gzip(SampleSpans.json());
        assertInvalid(
                () -> decode(Arrays.copyOf(gzip, gzip.length / 2), "application/json", "gzip"),
                "the body is not valid gzip");
    }

    @Test
    void gzipBombIsRefusedBeforeItFillsMemory() throws IOException {
        // 64 MiB of spaces, a valid JSON prefix, that gzip squeezes into about 64 KiB.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write('[');
            byte[] spaces = new byte[1024 * 1024];
            Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 64; i++) {
                gzip.write(spaces);
            }
            gzip.write(']');
        }
        byte[] bomb = out.toByteArray();
        assertThat(bomb.length).isLessThan(SpanBodyDecoder.MAX_INFLATED_BYTES / 64);

        assertInvalid(
                () -> decode(bomb, "application/json", "gzip"), "inflates to more than 16 MiB", "smaller batches");
    }

    @Test
    void gzippedBodyJustUnderTheCapIsAccepted() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write('[');
            byte[] spaces = new byte[SpanBodyDecoder.MAX_INFLATED_BYTES - 2];
            Arrays.fill(spaces, (byte) ' ');
            gzip.write(spaces);
            gzip.write(']');
        }

        assertThat(decode(out.toByteArray(), "application/json", "gzip")).isEmpty();
    }
}
