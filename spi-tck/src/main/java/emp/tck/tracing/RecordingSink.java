package emp.tck.tracing;

import emp.spi.AppRef;
import emp.spi.tracing.Span;
import emp.spi.tracing.SpanSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sink the trace source kit starts sources with, standing in for the host's: it keeps every span it is given,
 * knows the span credentials the kit issued as the host knows those it issued, and can be told to fail, as a host
 * that cannot take a batch would. Thread-safe.
 */
final class RecordingSink implements SpanSink {
    private final Map<String, AppRef> issued = new ConcurrentHashMap<>();
    private final List<Span> spans = new ArrayList<>();
    private int failuresToCome;
    private int failures;

    /** A credential for {@code app}, which {@link #sender} then knows. */
    String issue(AppRef app) {
        String credential = "tck-span-credential-of-" + app.owner() + "-" + app.name();
        issued.put(credential, app);
        return credential;
    }

    @Override
    public synchronized void accept(List<Span> batch) {
        if (failuresToCome > 0) {
            failuresToCome--;
            failures++;
            throw new IllegalStateException("the kit's sink fails this batch of " + batch.size() + " spans on purpose");
        }
        spans.addAll(batch);
    }

    @Override
    public Optional<AppRef> sender(String credential) {
        return credential == null ? Optional.empty() : Optional.ofNullable(issued.get(credential));
    }

    /** Makes the next {@code count} batches fail. */
    synchronized void failNext(int count) {
        failuresToCome = count;
    }

    /** How many batches failed on purpose. */
    synchronized int failures() {
        return failures;
    }

    /** The spans taken so far, in the order they came. */
    synchronized List<Span> spans() {
        return List.copyOf(spans);
    }
}
