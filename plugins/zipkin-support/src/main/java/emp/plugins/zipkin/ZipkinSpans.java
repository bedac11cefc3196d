package emp.plugins.zipkin;

import emp.spi.tracing.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the zipkin2 library's spans into EMP's. The zipkin2 model has already normalised them: ids are lower-case hex
 * (a 64-bit trace id stays 16 characters), and span and service names are lower case.
 *
 * <p>A span without a timestamp or a duration (Zipkin allows both to be absent, e.g. for a span that was flushed
 * unfinished) is still delivered, with 0 in their place, so that the host sees that the call happened; it decides
 * whether such a span counts towards latency.
 */
public final class ZipkinSpans {
    private ZipkinSpans() {}

    public static List<Span> toEmp(List<zipkin2.Span> spans) {
        List<Span> converted = new ArrayList<>(spans.size());
        for (zipkin2.Span span : spans) {
            converted.add(toEmp(span));
        }
        return converted;
    }

    public static Span toEmp(zipkin2.Span span) {
        return new Span(
                span.traceId(),
                span.id(),
                span.parentId(),
                span.name(),
                span.kind() == null ? null : Span.Kind.valueOf(span.kind().name()),
                span.localServiceName(),
                span.remoteServiceName(),
                span.timestampAsLong(),
                span.durationAsLong(),
                span.tags(),
                Boolean.TRUE.equals(span.shared()));
    }
}
