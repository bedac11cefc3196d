package emp.host.tracing;

import emp.spi.tracing.Span;
import java.util.Comparator;
import java.util.List;

/**
 * One recent trace through an app, as {@code GET /v1/apps/{id}/traces} shows it: enough to open it in a trace UI
 * and to see its shape.
 *
 * @param traceId        the trace id
 * @param startMicros    when its first span started
 * @param durationMicros from its first span's start to its last span's end
 * @param spans          its spans, by start time
 */
public record TraceSummary(String traceId, long startMicros, long durationMicros, List<SpanSummary> spans) {
    public TraceSummary {
        spans = List.copyOf(spans);
    }

    /**
     * @param id       the span id
     * @param parentId its parent's id, or null
     * @param service  the service that recorded it ({@code owner/app}, or {@code emp-gateway})
     * @param kind     SERVER, CLIENT... or null
     * @param name     the operation
     * @param shared   whether it reuses its client's id
     */
    public record SpanSummary(
            String id,
            String parentId,
            String service,
            String kind,
            String name,
            long durationMicros,
            boolean shared) {}

    static TraceSummary of(List<Span> trace) {
        long start = trace.stream().mapToLong(Span::timestampMicros).min().orElse(0);
        long end = trace.stream()
                .mapToLong(span -> span.timestampMicros() + span.durationMicros())
                .max()
                .orElse(start);
        return new TraceSummary(
                trace.get(0).traceId(),
                start,
                end - start,
                trace.stream()
                        .sorted(Comparator.comparingLong(Span::timestampMicros))
                        .map(span -> new SpanSummary(
                                span.id(),
                                span.parentId(),
                                span.localService(),
                                span.kind() == null ? null : span.kind().name(),
                                span.name(),
                                span.durationMicros(),
                                span.shared()))
                        .toList());
    }
}
