package emp.gateway;

import java.time.Instant;

/**
 * The gateway's span of one routed request: the trace joined from the request's headers (and passed on to every
 * replica tried as their parent), begun when the exchange is made, ended as the routed request the gateway's
 * {@link RequestListener} is told of.
 */
final class ExchangeSpan {
    final TraceContext context;
    private final long startMicros;
    private final long startNanos;

    private ExchangeSpan(TraceContext context) {
        this.context = context;
        Instant now = Instant.now();
        this.startMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        this.startNanos = System.nanoTime();
    }

    /** A span begun now, in the trace the request's headers carry (a new one when they carry none). */
    static ExchangeSpan begin(io.netty.handler.codec.http.HttpHeaders headers) {
        return new ExchangeSpan(TraceHeaders.join(headers));
    }

    /**
     * The request as its span, ended now.
     *
     * @param backendId the replica that answered or was tried last; null for none
     * @param error     why the gateway failed it; null when it did not
     */
    RoutedRequest end(RequestTarget target, String method, int status, String backendId, String error) {
        String uri = target.backendUri();
        int query = uri.indexOf('?');
        return new RoutedRequest(
                context.traceId(),
                context.spanId(),
                context.parentSpanId(),
                target.user(),
                target.app(),
                method,
                query < 0 ? uri : uri.substring(0, query),
                status,
                startMicros,
                Math.max(0, (System.nanoTime() - startNanos) / 1_000),
                backendId,
                error,
                context.sampled());
    }
}
