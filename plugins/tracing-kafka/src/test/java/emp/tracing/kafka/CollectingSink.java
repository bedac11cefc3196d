package emp.tracing.kafka;

import emp.spi.tracing.Span;
import emp.spi.tracing.SpanSink;
import java.util.ArrayList;
import java.util.List;

/** A sink that keeps every span it is given, in order. Thread-safe. */
final class CollectingSink implements SpanSink {
    private final List<Span> spans = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    @Override
    public synchronized void accept(List<Span> batch) {
        spans.addAll(batch);
        threads.add(Thread.currentThread());
    }

    synchronized List<Span> spans() {
        return List.copyOf(spans);
    }

    synchronized List<Span> ofTrace(String traceId) {
        return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    /** The threads that delivered the batches. */
    synchronized List<Thread> threads() {
        return List.copyOf(threads);
    }
}
