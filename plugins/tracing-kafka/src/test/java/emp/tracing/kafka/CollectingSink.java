package emp.tracing.kafka;

import emp.spi.AppRef;
import emp.spi.tracing.Span;
import emp.spi.tracing.SpanSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sink that keeps every span it is given, in order, and knows the credentials of {@link SampleSpans#CREDENTIALS} as
 * the host's sink knows those it issued. Thread-safe.
 */
final class CollectingSink implements SpanSink {
    private final AtomicInteger senderCalls = new AtomicInteger();
    private final List<Span> spans = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    @Override
    public synchronized void accept(List<Span> batch) {
        spans.addAll(batch);
        threads.add(Thread.currentThread());
    }

    @Override
    public Optional<AppRef> sender(String credential) {
        senderCalls.incrementAndGet();
        return Optional.ofNullable(credential == null ? null : SampleSpans.CREDENTIALS.get(credential));
    }

    /** How many times a credential was checked. */
    int senderCalls() {
        return senderCalls.get();
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
