package emp.spi.tracing;

import emp.spi.AppRef;
import emp.spi.Health;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Brings the spans that apps emit (Zipkin v2 model) to the host, which aggregates them into the windows schedulers
 * read.
 */
public interface TraceSource extends AutoCloseable {
    /** Starts delivering spans to {@code sink}, from the source's own threads, until closed. */
    void start(SpanSink sink);

    /**
     * Variables a replica of {@code app} needs to send its spans here, e.g. {@code ZIPKIN_ENDPOINT} or
     * {@code KAFKA_ADDRESS} and {@code KAFKAADDRESS}, carrying {@code credential} so that what it sends is known as
     * its own (over HTTP the host checks it before {@link SpanReceiver#receive}).
     *
     * @param credential the app's span credential, issued by the host; a secret, to be given to that app only
     */
    Map<String, String> replicaEnvironment(AppRef app, String credential);

    /**
     * Where a person can look at the app's traces, when a trace UI is configured.
     *
     * @deprecated nothing calls it: the host links traces from its own {@code tracing.ui-url}; removed in 0.5.0
     */
    @Deprecated(since = "0.4.2", forRemoval = true)
    default Optional<URI> traceUrl(AppRef app) {
        return Optional.empty();
    }

    /**
     * A receiver of Zipkin's {@code POST /api/v2/spans}, when this source collects over HTTP; the host serves it on
     * the API port, so replicas send to {@code http://HOST:API_PORT/api/v2/spans}.
     *
     * @since 0.2, so that a collector needs no port of its own
     */
    default Optional<SpanReceiver> httpReceiver() {
        return Optional.empty();
    }

    /** A cheap check of the transport, without throwing. */
    Health check();

    @Override
    void close();
}
