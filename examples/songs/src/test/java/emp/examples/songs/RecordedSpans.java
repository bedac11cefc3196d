package emp.examples.songs;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;

/** The spans that services in this JVM finished, in the order they finished. */
final class RecordedSpans extends SpanHandler {
    private final List<MutableSpan> spans = new CopyOnWriteArrayList<>();

    @Override
    public boolean end(TraceContext context, MutableSpan span, Cause cause) {
        if (cause == Cause.FINISHED) {
            spans.add(span);
        }
        return true;
    }

    List<MutableSpan> all() {
        return List.copyOf(spans);
    }

    /** Waits until {@code count} spans have finished, and answers them; a server span ends after it answers. */
    List<MutableSpan> await(int count) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> spans.size() >= count);
        return all();
    }

    void clear() {
        spans.clear();
    }

    /** A failed span as Zipkin would see it: an {@code error} tag, or an error its handler turns into one. */
    static boolean isError(MutableSpan span) {
        return span.error() != null || span.tag("error") != null;
    }
}
