package emp.spi.tracing;

import java.util.List;

/** Receives spans from a {@link TraceSource}. Thread-safe; returns quickly (the host only buffers). */
@FunctionalInterface
public interface SpanSink {
    void accept(List<Span> spans);
}
