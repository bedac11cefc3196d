package emp.examples.songs;

import brave.Span;
import brave.propagation.B3Propagation;
import brave.propagation.Propagation;
import brave.propagation.TraceContext;
import brave.propagation.TraceContextOrSamplingFlags;
import java.util.ArrayList;
import java.util.List;

/**
 * Propagation that reads B3 (multi or single header) or W3C {@code traceparent}, and writes all three on outgoing
 * requests, so a caller that speaks either joins the trace and a callee that reads either continues it.
 *
 * <p>When a request carries both, B3 wins: it is what Brave writes and it carries the sampling decision in full.
 * The server never shares a span id with its client ({@link #supportsJoin()} is false), because W3C cannot express
 * a shared span and because per-service figures read best when each side of a call is its own span.
 */
public final class B3AndW3cPropagation extends Propagation.Factory implements Propagation<String> {
    /** The factory to hand to {@code Tracing.Builder.propagationFactory}. */
    public static final Propagation.Factory FACTORY = new B3AndW3cPropagation();

    private final Propagation<String> b3 = B3Propagation.newFactoryBuilder()
            .injectFormats(Span.Kind.CLIENT, B3Propagation.Format.MULTI, B3Propagation.Format.SINGLE_NO_PARENT)
            .build()
            .get();
    private final List<String> keys;

    private B3AndW3cPropagation() {
        List<String> all = new ArrayList<>(b3.keys());
        all.add(Traceparent.HEADER);
        keys = List.copyOf(all);
    }

    @Override
    public Propagation<String> get() {
        return this;
    }

    @Override
    public boolean supportsJoin() {
        return false;
    }

    @Override
    public boolean requires128BitTraceId() {
        return true;
    }

    @Override
    public List<String> keys() {
        return keys;
    }

    @Override
    public <R> TraceContext.Injector<R> injector(Setter<R, String> setter) {
        TraceContext.Injector<R> b3Injector = b3.injector(setter);
        return (context, request) -> {
            b3Injector.inject(context, request);
            setter.put(request, Traceparent.HEADER, Traceparent.format(context));
        };
    }

    @Override
    public <R> TraceContext.Extractor<R> extractor(Getter<R, String> getter) {
        TraceContext.Extractor<R> b3Extractor = b3.extractor(getter);
        return request -> {
            TraceContextOrSamplingFlags fromB3 = b3Extractor.extract(request);
            if (fromB3.context() != null) {
                return fromB3;
            }
            TraceContext fromW3c = Traceparent.parse(getter.get(request, Traceparent.HEADER));
            return fromW3c != null ? TraceContextOrSamplingFlags.create(fromW3c) : fromB3;
        };
    }
}
