package emp.host.tracing;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.Health;
import emp.spi.PlatformException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The door of {@code POST /api/v2/spans}: a body passes with the credential of the app whose spans it carries (see
 * {@link SpanCredentials}), and only to be that app's spans; a body without a good credential is refused (401), one
 * whose spans name another app (403, told by the trace source). Both are counted, and {@link #health} shows the counts.
 * Thread-safe.
 */
public final class SpanGate {
    private static final Logger LOG = LoggerFactory.getLogger(SpanGate.class);
    /** At most one warning per this many nanoseconds, however many bodies are refused. */
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;

    private final SpanCredentials credentials;
    private final ActiveTraceSource source;
    private final LongAdder unauthenticated = new LongAdder();
    private final LongAdder forbidden = new LongAdder();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    public SpanGate(SpanCredentials credentials, ActiveTraceSource source) {
        this.credentials = credentials;
        this.source = source;
    }

    /**
     * Checks, before anything else, that the trace source running now collects over HTTP.
     *
     * @throws PlatformException of category NOT_FOUND, naming the source, when it does not
     */
    public void requireHttpCollection() {
        if (!source.receivesOverHttp()) {
            throw ActiveTraceSource.notOverHttp(source.name());
        }
    }

    /**
     * The app whose credential this is, checked before the body is read.
     *
     * @param credential what came with the body ({@code ?emp_token=} or {@code Authorization: Bearer}); may be null
     * @throws PlatformException of category UNAUTHENTICATED when it is missing or not one this platform issued
     */
    public AppRef sender(String credential) {
        Optional<AppRef> sender = credentials.verify(credential);
        if (sender.isEmpty()) {
            unauthenticated.increment();
            warn("without a span credential", credential == null ? "none" : "a wrong one");
            throw new PlatformException(
                    ErrorCategory.UNAUTHENTICATED,
                    credential == null
                            ? "spans need the sending app's span credential: send them to the ZIPKIN_ENDPOINT a"
                                    + " replica is given (it carries ?emp_token=...), or with 'Authorization: Bearer"
                                    + " <EMP_SPAN_TOKEN>'"
                            : "the span credential is not one this platform issued; use the EMP_SPAN_TOKEN (or the"
                                    + " ZIPKIN_ENDPOINT) the app's replicas are given");
        }
        return sender.get();
    }

    /**
     * Hands the body to the trace source as the spans of {@code sender}.
     *
     * @return how many spans were accepted
     * @throws PlatformException of category FORBIDDEN when a span is another app's, INVALID when the body cannot be
     *                           decoded, NOT_FOUND when the source was just replaced by one that does not collect
     *                           over HTTP
     */
    public int receive(byte[] body, String contentType, String contentEncoding, AppRef sender) {
        try {
            return source.receive(body, contentType, contentEncoding, sender);
        } catch (PlatformException e) {
            if (e.category() == ErrorCategory.FORBIDDEN) {
                forbidden.increment();
                warn("with another app's spans", "from " + sender);
            }
            throw e;
        }
    }

    /** Always healthy: the counts of refused bodies, for a person to see. */
    public Health health() {
        return Health.healthy(unauthenticated.sum() + " span bodies refused without a good credential, "
                + forbidden.sum() + " for carrying another app's spans");
    }

    private void warn(String what, String detail) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            LOG.warn(
                    "Refused span bodies {} ({}); {} so far without a good credential, {} with another app's spans",
                    what,
                    detail,
                    unauthenticated.sum(),
                    forbidden.sum());
        }
    }
}
