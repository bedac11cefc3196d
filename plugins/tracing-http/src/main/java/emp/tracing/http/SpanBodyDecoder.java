package emp.tracing.http;

import emp.plugins.zipkin.JsonSpanDecoder;
import emp.plugins.zipkin.ZipkinSpans;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.tracing.Span;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import zipkin2.codec.SpanBytesDecoder;

/**
 * Decodes one body of Zipkin's {@code POST /api/v2/spans} as a Zipkin server would: JSON v2 for
 * {@code application/json} (or no content type, with {@link JsonSpanDecoder}, which reads what zipkin2's codec reads,
 * faster), proto3 for {@code application/x-protobuf} (with the zipkin2 library's codec), either of them possibly
 * gzipped. Stateless and thread-safe.
 */
final class SpanBodyDecoder {
    /** The most a gzipped body may inflate to, so a small body cannot claim unbounded memory (a "gzip bomb"). */
    static final int MAX_INFLATED_BYTES = 16 * 1024 * 1024;

    private static final String JSON = "application/json";
    private static final String PROTOBUF = "application/x-protobuf";

    private SpanBodyDecoder() {}

    /**
     * @param body            the raw body; an empty one is an empty list
     * @param contentType     the request's {@code Content-Type}, parameters allowed; null means JSON
     * @param contentEncoding the request's {@code Content-Encoding}: {@code gzip}, or null for none
     * @return the spans, in the body's order
     * @throws PlatformException of category INVALID saying what is wrong with the body and what to send instead
     */
    static List<Span> decode(byte[] body, String contentType, String contentEncoding) {
        SpanBytesDecoder decoder = decoder(contentType);
        byte[] plain = isGzip(contentEncoding) && body.length > 0 ? gunzip(body) : body;
        try {
            return decoder == SpanBytesDecoder.JSON_V2
                    ? JsonSpanDecoder.decodeList(plain)
                    : ZipkinSpans.toEmp(decoder.decodeList(plain));
        } catch (RuntimeException e) {
            String format = decoder == SpanBytesDecoder.PROTO3
                    ? "a proto3 span list (" + PROTOBUF + ")"
                    : "a JSON v2 span list (" + JSON + ")";
            throw invalid("the body is not " + format + ": " + e.getMessage(), e);
        }
    }

    private static SpanBytesDecoder decoder(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return SpanBytesDecoder.JSON_V2;
        }
        int parameters = contentType.indexOf(';');
        String mediaType = (parameters < 0 ? contentType : contentType.substring(0, parameters))
                .trim()
                .toLowerCase(Locale.ROOT);
        return switch (mediaType) {
            case JSON -> SpanBytesDecoder.JSON_V2;
            case PROTOBUF, "application/protobuf" -> SpanBytesDecoder.PROTO3;
            default ->
                throw invalid(
                        "unsupported content type '" + contentType.trim() + "'; send " + JSON + " (JSON v2) or "
                                + PROTOBUF + " (proto3)",
                        null);
        };
    }

    private static boolean isGzip(String contentEncoding) {
        if (contentEncoding == null) {
            return false;
        }
        String encoding = contentEncoding.trim().toLowerCase(Locale.ROOT);
        return switch (encoding) {
            case "", "identity" -> false;
            case "gzip", "x-gzip" -> true;
            default ->
                throw invalid(
                        "unsupported content encoding '" + contentEncoding.trim()
                                + "'; send the body as is or with Content-Encoding: gzip",
                        null);
        };
    }

    private static byte[] gunzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(MAX_INFLATED_BYTES, body.length * 8));
        byte[] buffer = new byte[16 * 1024];
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body), buffer.length)) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                if (out.size() + read > MAX_INFLATED_BYTES) {
                    throw invalid(
                            "the gzipped body inflates to more than " + (MAX_INFLATED_BYTES / (1024 * 1024))
                                    + " MiB; send smaller batches of spans",
                            null);
                }
                out.write(buffer, 0, read);
            }
        } catch (IOException e) {
            throw invalid(
                    "the body is not valid gzip (" + e.getMessage()
                            + "); gzip the whole body or drop the Content-Encoding: gzip header",
                    e);
        }
        return out.toByteArray();
    }

    private static PlatformException invalid(String message, Throwable cause) {
        return new PlatformException(ErrorCategory.INVALID, message, cause);
    }
}
