package emp.tracing.kafka;

import emp.spi.tracing.Span;
import java.util.List;

/**
 * Turns the zipkin2 library's spans into EMP's. The library has already normalised them: ids in lower-case hex, names
 * in lower case. A span without a timestamp or duration (Zipkin allows both to be absent) is still delivered, with 0
 * in their place, so the host sees that the call happened and decides what it counts towards.
 */
final class ZipkinSpans {
    private ZipkinSpans() {}

    static Span toEmp(zipkin2.Span span) {
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

    static void addAll(List<zipkin2.Span> from, List<Span> to) {
        for (zipkin2.Span span : from) {
            to.add(toEmp(span));
        }
    }
}
