package emp.tracing.http;

import emp.spi.tracing.Span;
import emp.spi.tracing.SpanSink;
import java.util.ArrayList;
import java.util.List;

/** A sink that keeps every span it is given, in order, and how many batches they came in. */
final class CollectingSink implements SpanSink {
    private final List<Span> spans = new ArrayList<>();
    private int batches;

    @Override
    public synchronized void accept(List<Span> batch) {
        spans.addAll(batch);
        batches++;
    }

    synchronized List<Span> spans() {
        return List.copyOf(spans);
    }

    synchronized int batches() {
        return batches;
    }
}
