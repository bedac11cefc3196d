package emp.tracing.kafka;

import emp.plugins.zipkin.JsonSpanDecoder;
import emp.plugins.zipkin.ZipkinSpans;
import emp.spi.tracing.Span;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import zipkin2.SpanBytesDecoderDetector;
import zipkin2.codec.BytesDecoder;
import zipkin2.codec.SpanBytesDecoder;

/**
 * Decodes one Kafka message into spans, telling its format from its first bytes the way Zipkin's own Kafka collector
 * does: a list in JSON ({@code [}), proto3 ({@code 0x0A} then a non-zero length) or Thrift, as zipkin-reporter's
 * {@code KafkaSender} sends them, or a single span ({@code {}, or a legacy Thrift struct). JSON is taken for v1 only
 * when it has a field only v1 has: Zipkin's detector also takes v2 spans without endpoints or tags for v1, and would
 * lose their kind. A JSON v2 list, what reporters send, is read by {@link JsonSpanDecoder}; the rest by the zipkin2
 * library's codecs. Stateless.
 */
final class SpanMessageDecoder {
    private static final byte THRIFT_LIST = 12;
    private static final byte THRIFT_MAX_FIELD_TYPE = 16;

    private SpanMessageDecoder() {}

    /**
     * @throws IllegalArgumentException saying why, when the message is not spans in a format Zipkin accepts
     */
    static List<Span> decode(byte[] message) {
        return decode(message, 0, message.length);
    }

    /**
     * @param message the message's bytes, from its position to its limit (a heap buffer is read in place, as
     *                kafka-clients hands it over)
     * @throws IllegalArgumentException saying why, when the message is not spans in a format Zipkin accepts
     */
    static List<Span> decode(ByteBuffer message) {
        if (message.hasArray()) {
            return decode(message.array(), message.arrayOffset() + message.position(), message.remaining());
        }
        byte[] bytes = new byte[message.remaining()];
        message.duplicate().get(bytes);
        return decode(bytes);
    }

    private static List<Span> decode(byte[] message, int offset, int length) {
        if (length < 2) {
            throw new IllegalArgumentException(
                    length == 0 ? "the message is empty" : "a message of one byte holds no span");
        }
        byte first = message[offset];
        try {
            if (first == '{') {
                return List.of(ZipkinSpans.toEmp(decodeSingleJson(copy(message, offset, length))));
            }
            if (!protobuf3(first, message[offset + 1]) && first <= THRIFT_MAX_FIELD_TYPE && first != THRIFT_LIST) {
                // One span in Thrift, the oldest encoding, which Zipkin still reads.
                return List.of(ZipkinSpans.toEmp(SpanBytesDecoder.THRIFT.decodeOne(copy(message, offset, length))));
            }
            BytesDecoder<zipkin2.Span> decoder =
                    SpanBytesDecoderDetector.decoderForListMessage(ByteBuffer.wrap(message, offset, length));
            if (decoder == SpanBytesDecoder.JSON_V1
                    && !jsonV1(new String(message, offset, length, StandardCharsets.UTF_8))) {
                // The detector takes a list whose spans have no endpoint and no tag for v1, whose codec drops v2's
                // kind and shared: a server span would lose what makes it one.
                decoder = SpanBytesDecoder.JSON_V2;
            }
            return decoder == SpanBytesDecoder.JSON_V2
                    ? JsonSpanDecoder.decodeList(message, offset, length)
                    : ZipkinSpans.toEmp(decoder.decodeList(copy(message, offset, length)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a span list in JSON, proto3 or Thrift (" + describe(e) + ")", e);
        }
    }

    private static byte[] copy(byte[] message, int offset, int length) {
        return offset == 0 && length == message.length ? message : Arrays.copyOfRange(message, offset, offset + length);
    }

    /**
     * A single JSON span. Zipkin's detector takes one without {@code localEndpoint} or tags for v1, which would lose
     * v2's fields, so the choice is made here: v1 alone has {@code "endpoint"} (inside annotations) and
     * {@code "binaryAnnotations"}.
     */
    private static zipkin2.Span decodeSingleJson(byte[] message) {
        SpanBytesDecoder decoder = jsonV1(new String(message, StandardCharsets.UTF_8))
                ? SpanBytesDecoder.JSON_V1
                : SpanBytesDecoder.JSON_V2;
        zipkin2.Span span = decoder.decodeOne(message);
        if (span == null) {
            throw new IllegalArgumentException("no span in the JSON object");
        }
        return span;
    }

    /** Whether JSON spans are v1's: only v1 has {@code "endpoint"} (inside annotations) and {@code "binaryAnnotations"}. */
    private static boolean jsonV1(String json) {
        return json.contains("\"endpoint\"") || json.contains("\"binaryAnnotations\"");
    }

    /** A proto3 list starts with field 1 (a span), length-delimited, and a span is never empty. */
    private static boolean protobuf3(byte first, byte second) {
        return first == 0x0A && second != 0;
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
