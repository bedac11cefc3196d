package emp.spi.tracing;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A span in the Zipkin v2 model, reduced to what EMP reads.
 *
 * @param traceId        the trace id, lower-case hex
 * @param id             the span id, lower-case hex
 * @param parentId       the parent span's id, or null for a root span
 * @param name           the operation, e.g. {@code get /songs}
 * @param kind           CLIENT, SERVER, PRODUCER, CONSUMER, or null
 * @param localService   the service that recorded the span: {@code owner/app} for EMP apps
 * @param remoteService  the service on the other side, when known
 * @param timestampMicros when the span started, in microseconds since the epoch
 * @param durationMicros how long it took, in microseconds
 * @param tags           the span's tags; {@code error} marks a failed span
 * @param shared         true for a server span that reuses its client's span id (B3 "join"), so the caller's
 *                       CLIENT span and this SERVER span share {@code id}
 */
public record Span(
        String traceId,
        String id,
        String parentId,
        String name,
        Kind kind,
        String localService,
        String remoteService,
        long timestampMicros,
        long durationMicros,
        Map<String, String> tags,
        boolean shared) {
    public enum Kind {
        CLIENT,
        SERVER,
        PRODUCER,
        CONSUMER
    }

    public Span {
        requireNonNull(traceId, "traceId is null");
        requireNonNull(id, "id is null");
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    public boolean isError() {
        return tags.containsKey("error");
    }
}
