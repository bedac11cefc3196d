package emp.plugins.zipkin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import emp.spi.tracing.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import zipkin2.Endpoint;
import zipkin2.codec.SpanBytesDecoder;
import zipkin2.codec.SpanBytesEncoder;

/** The decoder against what zipkin2 writes and reads: random spans, and odd bodies written by hand. */
class JsonSpanDecoderTest {
    /**
     * Random spans, written by zipkin2's encoder, read back as they were built. (Not against zipkin2's decoder: it
     * garbles some characters beyond ASCII that follow an escape, which this decoder reads right.)
     */
    @Test
    void randomSpansWrittenByZipkinAreReadBackAsTheyWere() {
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            List<zipkin2.Span> spans = new ArrayList<>();
            for (int i = random.nextInt(30); i >= 0; i--) {
                spans.add(randomSpan(random));
            }
            List<Span> read = JsonSpanDecoder.decodeList(SpanBytesEncoder.JSON_V2.encodeList(spans));
            assertThat(read).hasSameSizeAs(spans);
            for (int i = 0; i < read.size(); i++) {
                assertThat(read.get(i))
                        .as(new String(SpanBytesEncoder.JSON_V2.encode(spans.get(i)), StandardCharsets.UTF_8))
                        .isEqualTo(ZipkinSpans.toEmp(spans.get(i)));
            }
        }
    }

    @Test
    void oddButValidBodiesDecodeAsZipkinDecodesThem() {
        List<String> bodies = List.of(
                "[]",
                " [ ] ",
                "[{\"traceId\":\"a\",\"id\":\"b\"}]",
                // 128-bit ids with a zero high half are cut to 64 bits; odd lengths are padded
                "[{\"traceId\":\"0000000000000000000000000000abcd\",\"id\":\"00b\",\"parentId\":\"0000000000000000\"}]",
                "[{\"traceId\":\"123456789abcdef01\",\"id\":\"1\",\"parentId\":\"1\",\"kind\":\"CLIENT\",\"shared\":true}]",
                // whitespace everywhere, nulls, unknown fields of every shape, quoted numbers, a zero fraction
                "[ {\n \"traceId\" : \"abc\" , \"id\" : \"def\", \"parentId\": null, \"name\": \"GET /X\",\n"
                        + " \"timestamp\": \"1700000000000000\", \"duration\": 2.0e3, \"kind\": \"SERVER\","
                        + " \"future\": {\"a\": [1, {\"b\": [true, false, null]}, \"x]}\"]},"
                        + " \"localEndpoint\": {\"serviceName\": \"Alice/Front\", \"ipv4\": \"10.0.0.1\", \"port\": 80,"
                        + " \"other\": [1]}, \"remoteEndpoint\": {\"ipv6\": \"::1\"},"
                        + " \"annotations\": [{\"timestamp\": 1, \"value\": \"ws\", \"extra\": 1}],"
                        + " \"tags\": {\"error\": \"\", \"http.status_code\": 500, \"k\": \"v\"}, \"debug\": true } ]",
                // escapes in values and in a field name; UTF-8 beyond ASCII
                "[{\"trace\\u0049d\":\"1\",\"id\":\"2\",\"name\":\"caf\u00e9 \\\"q\\\" \\\\ \\/ \\n\\t\\u00e9\\ud83d\\ude00\","
                        + "\"tags\":{\"\u00fcber\":\"\u6f22\\u5b57\"},\"localEndpoint\":{\"serviceName\":\"\"}}]",
                // negative times are 0; an empty name is none; a duplicate field: the last wins
                "[{\"traceId\":\"1\",\"id\":\"2\",\"timestamp\":-5,\"duration\":-1,\"name\":\"\",\"kind\":\"PRODUCER\","
                        + "\"id\":\"3\"}]",
                "[{\"traceId\":\"1\",\"id\":\"2\"},{\"traceId\":\"1\",\"id\":\"3\",\"parentId\":\"2\",\"shared\":false}]");
        for (String body : bodies) {
            byte[] json = body.getBytes(StandardCharsets.UTF_8);
            assertThat(JsonSpanDecoder.decodeList(json)).as(body).isEqualTo(zipkin(json));
        }
        assertThat(JsonSpanDecoder.decodeList(new byte[0])).isEmpty();
    }

    @Test
    void badBodiesAreRefusedSayingWhy() {
        List<String> bodies = List.of(
                "{}",
                "[",
                "[{\"traceId\":\"1\"}]",
                "[{\"id\":\"1\"}]",
                "[{\"traceId\":\"ABC\",\"id\":\"1\"}]",
                "[{\"traceId\":\"0x1\",\"id\":\"1\"}]",
                "[{\"traceId\":\"000\",\"id\":\"1\"}]",
                "[{\"traceId\":\"1\",\"id\":\"0000000000000000\"}]",
                "[{\"traceId\":\"123456789012345678901234567890123\",\"id\":\"1\"}]",
                "[{\"traceId\":\"1\",\"id\":\"12345678901234567\"}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"kind\":\"BOTH\"}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"timestamp\":1.5}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"timestamp\":\"soon\"}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"timestamp\":99999999999999999999}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"shared\":\"yes\"}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"tags\":{\"a\":null}}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"tags\":{\"a\":true}}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"annotations\":[{\"value\":\"x\"}]}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"localEndpoint\":{\"port\":\"x\"}}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"name\":\"unterminated}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"name\":\"\\x\"}]",
                "[{\"traceId\":\"1\",\"id\":\"2\"},]",
                "[{\"traceId\":\"1\",\"id\":\"2\"} {\"traceId\":\"1\",\"id\":\"3\"}]",
                "[{\"traceId\":\"1\",\"id\":\"2\",\"x\":[}]");
        for (String body : bodies) {
            byte[] json = body.getBytes(StandardCharsets.UTF_8);
            Throwable ours = catchThrowable(() -> JsonSpanDecoder.decodeList(json));
            assertThat(ours).as(body).isInstanceOf(IllegalArgumentException.class);
            assertThat(ours.getMessage()).as(body).isNotBlank();
            assertThat(catchThrowable(() -> zipkin(json)))
                    .as("zipkin2 refuses it too: " + body)
                    .isNotNull();
        }
    }

    @Test
    void aListInsideLargerBytesIsReadInPlaceAndErrorsCountFromItsStart() {
        byte[] list = "[{\"traceId\":\"1\",\"id\":\"2\"}]".getBytes(StandardCharsets.UTF_8);
        byte[] around = new byte[list.length + 20];
        java.util.Arrays.fill(around, (byte) 'x');
        System.arraycopy(list, 0, around, 7, list.length);

        assertThat(JsonSpanDecoder.decodeList(around, 7, list.length)).isEqualTo(JsonSpanDecoder.decodeList(list));
        assertThatThrownBy(() -> JsonSpanDecoder.decodeList(around, 7, list.length - 1))
                .hasMessageContaining("at byte " + (list.length - 1));
    }

    @Test
    void deepNestingIsRefusedOrSkippedWithoutExhaustingTheStack() {
        String deep = "[".repeat(200_000);
        String body = "[{\"traceId\":\"1\",\"id\":\"2\",\"x\":" + deep + "]}]";
        assertThatThrownBy(() -> JsonSpanDecoder.decodeList(body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        String closed = "[{\"traceId\":\"1\",\"id\":\"2\",\"x\":" + deep + "]".repeat(200_000) + "}]";
        assertThat(JsonSpanDecoder.decodeList(closed.getBytes(StandardCharsets.UTF_8)))
                .hasSize(1);
    }

    private static List<Span> zipkin(byte[] json) {
        return ZipkinSpans.toEmp(SpanBytesDecoder.JSON_V2.decodeList(json));
    }

    private static zipkin2.Span randomSpan(Random random) {
        zipkin2.Span.Builder span = zipkin2.Span.newBuilder()
                .traceId(random.nextBoolean() ? random.nextLong() : 0, random.nextLong() | 1)
                .id(random.nextLong() | 1);
        if (random.nextBoolean()) {
            span.parentId(random.nextLong() | 1);
        }
        if (random.nextInt(4) > 0) {
            span.kind(zipkin2.Span.Kind.values()[random.nextInt(zipkin2.Span.Kind.values().length)]);
        }
        if (random.nextBoolean()) {
            span.name(text(random));
        }
        if (random.nextBoolean()) {
            span.timestamp(random.nextLong() & Long.MAX_VALUE).duration(random.nextInt(Integer.MAX_VALUE));
        }
        if (random.nextInt(4) > 0) {
            span.localEndpoint(Endpoint.newBuilder()
                    .serviceName(text(random))
                    .ip("10.1.2." + random.nextInt(255))
                    .port(random.nextInt(65536))
                    .build());
        }
        if (random.nextBoolean()) {
            span.remoteEndpoint(Endpoint.newBuilder()
                    .serviceName(random.nextBoolean() ? text(random) : null)
                    .ip("2001:db8::" + random.nextInt(1000))
                    .build());
        }
        for (int i = random.nextInt(4); i > 0; i--) {
            span.putTag(text(random), text(random));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            span.addAnnotation(random.nextLong() & Long.MAX_VALUE, text(random));
        }
        if (random.nextInt(5) == 0) {
            span.shared(true);
        }
        if (random.nextInt(5) == 0) {
            span.debug(true);
        }
        return span.build();
    }

    /** Text with the characters JSON must escape, and some beyond ASCII. */
    private static String text(Random random) {
        String alphabet = "abcXYZ019 /-_.\"\\\n\t\u0001\u00e9\u6f22\ud83d\ude00";
        StringBuilder text = new StringBuilder();
        for (int i = 1 + random.nextInt(12); i > 0; i--) {
            int at = random.nextInt(alphabet.length());
            char c = alphabet.charAt(at);
            if (Character.isHighSurrogate(c)) {
                text.append(c).append(alphabet.charAt(at + 1));
            } else if (!Character.isLowSurrogate(c)) {
                text.append(c);
            }
        }
        return text.toString();
    }
}
