package emp.spi.tracing;

import emp.spi.AppRef;
import java.util.List;
import java.util.Optional;

/** Receives spans from a {@link TraceSource}. Thread-safe; returns quickly (the host only buffers). */
@FunctionalInterface
public interface SpanSink {
    void accept(List<Span> spans);

    /**
     * The app a span credential was issued to, for a source that receives credentials with its spans (a Kafka
     * message's header): such a source delivers a message's spans only when they are its sender's own, and drops and
     * counts the rest. Empty when the credential is not one this platform issued.
     *
     * @param credential what came with the spans; may be null
     * @since 0.1
     */
    default Optional<AppRef> sender(String credential) {
        return Optional.empty();
    }
}
