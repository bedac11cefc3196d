package emp.plugins.zipkin;

import emp.spi.AppRef;
import emp.spi.PlatformException;
import emp.spi.tracing.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Holds a body's (or a message's) spans to their sender, the app whose span credential came with them: each must be
 * the sender's own, by its local service, so that no app steers another's figures.
 */
public final class SenderCheck {
    private SenderCheck() {}

    /**
     * The spans, a span with no local service given the sender's.
     *
     * @param forged counts the bodies refused
     * @throws PlatformException of category FORBIDDEN when a span names another service
     */
    public static List<Span> own(List<Span> spans, AppRef sender, LongAdder forged) {
        String service = sender.toString();
        List<Span> own = null;
        for (int i = 0; i < spans.size(); i++) {
            Span span = spans.get(i);
            String local = span.localService();
            if (local == null) {
                if (own == null) {
                    own = new ArrayList<>(spans);
                }
                own.set(
                        i,
                        new Span(
                                span.traceId(),
                                span.id(),
                                span.parentId(),
                                span.name(),
                                span.kind(),
                                service,
                                span.remoteService(),
                                span.timestampMicros(),
                                span.durationMicros(),
                                span.tags(),
                                span.shared()));
            } else if (!local.equals(service)) {
                forged.increment();
                throw PlatformException.forbidden("span " + i + " of the body (id " + span.id() + ") names service '"
                        + local + "', but its credential is app '" + service
                        + "''s; an app may send only its own spans (its local service, as EMP_SERVICE_NAME says)");
            }
        }
        return own == null ? spans : own;
    }
}
