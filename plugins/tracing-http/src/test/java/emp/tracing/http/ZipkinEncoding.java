package emp.tracing.http;

import emp.spi.tracing.Span;
import java.util.List;
import zipkin2.Endpoint;
import zipkin2.codec.SpanBytesEncoder;

/** EMP's spans as an app's Zipkin reporter sends them: in the zipkin2 model, encoded by its codecs. */
final class ZipkinEncoding {
    private ZipkinEncoding() {}

    /** A list of spans in JSON v2, what reporters send by default. */
    static byte[] json(List<Span> spans) {
        return SpanBytesEncoder.JSON_V2.encodeList(
                spans.stream().map(ZipkinEncoding::toZipkin).toList());
    }

    static zipkin2.Span toZipkin(Span span) {
        zipkin2.Span.Builder builder = zipkin2.Span.newBuilder()
                .traceId(span.traceId())
                .id(span.id())
                .parentId(span.parentId())
                .name(span.name())
                .kind(
                        span.kind() == null
                                ? null
                                : zipkin2.Span.Kind.valueOf(span.kind().name()))
                .timestamp(span.timestampMicros())
                .duration(span.durationMicros());
        if (span.shared()) {
            builder.shared(true);
        }
        if (span.localService() != null) {
            builder.localEndpoint(
                    Endpoint.newBuilder().serviceName(span.localService()).build());
        }
        if (span.remoteService() != null) {
            builder.remoteEndpoint(
                    Endpoint.newBuilder().serviceName(span.remoteService()).build());
        }
        span.tags().forEach(builder::putTag);
        return builder.build();
    }
}
