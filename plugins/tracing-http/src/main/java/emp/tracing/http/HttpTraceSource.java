package emp.tracing.http;

import static java.util.Objects.requireNonNull;

import emp.plugins.zipkin.LogThrottle;
import emp.plugins.zipkin.SenderCheck;
import emp.spi.AppRef;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.tracing.Span;
import emp.spi.tracing.SpanReceiver;
import emp.spi.tracing.SpanSink;
import emp.spi.tracing.TraceSource;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded trace source: a collector that speaks Zipkin's own {@code POST /api/v2/spans}, served by the host on
 * its API port, so replicas send to {@code ZIPKIN_ENDPOINT=http://HOST:API_PORT/api/v2/spans}.
 *
 * <p>{@link #receive} decodes a body (JSON v2 or proto3, possibly gzipped, with the zipkin2 library's codecs), puts
 * its spans in a queue bounded by {@link HttpTraceConfig#queueSpans()} and returns at once; one thread of the
 * source's own takes them from the queue and hands them to the sink in batches. When the host falls behind, spans
 * past the bound are dropped and counted (see {@link #check()}), never buffered without limit and never making the
 * caller wait. Spans without a timestamp or a duration are delivered with 0 in their place.
 *
 * <p>Every span of a body must be its sender's (the app whose credential came with it): a body with another app's
 * spans is refused whole and counted, and a span with no local service is given the sender's.
 *
 * <p>When {@link HttpTraceConfig#forwardUrl()} is set, every body that decodes is also re-posted as it came to that
 * URL (a real Zipkin server, for its UI), from a bounded queue of its own.
 *
 * <p>Thread-safe. {@link #start} once, {@link #close} once.
 */
public final class HttpTraceSource implements TraceSource, SpanReceiver {
    /** The path of Zipkin's v2 collection endpoint, below the API's base URI. */
    public static final String PATH = "/api/v2/spans";

    /** The variable that tells a replica where to send its spans. */
    public static final String ZIPKIN_ENDPOINT = "ZIPKIN_ENDPOINT";

    /** The query parameter of {@code ZIPKIN_ENDPOINT} that carries the app's span credential, which the host checks. */
    public static final String TOKEN_PARAMETER = "emp_token";

    static final Duration WARNING_INTERVAL = Duration.ofSeconds(10);
    /** How long {@link #close} goes on handing the spans still waiting to the server. */
    static final Duration CLOSE_DRAIN = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(HttpTraceSource.class);

    private final HttpTraceConfig config;
    private final URI endpoint;
    private final SpanQueue queue;
    private final ZipkinForwarder forwarder;
    private final LogThrottle dropWarnings;
    private final LogThrottle malformedWarnings;
    private final LogThrottle sinkWarnings;
    private final LongAdder received = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder forged = new LongAdder();
    private final LongAdder sinkFailed = new LongAdder();

    private Thread drainer;
    private volatile boolean closed;

    /**
     * Does no I/O and starts no thread.
     *
     * @param apiUri the base URI of the host's control API, where it serves {@link #PATH}
     * @param clock  the clock that paces repeated warnings
     */
    public HttpTraceSource(HttpTraceConfig config, URI apiUri, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        requireNonNull(apiUri, "apiUri is null");
        requireNonNull(clock, "clock is null");
        String base = apiUri.toString();
        this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PATH);
        this.queue = new SpanQueue(config.queueSpans());
        this.forwarder = config.forwardUrl()
                .map(url -> new ZipkinForwarder(url, config.forwardQueueBytes(), config.forwardTimeout(), clock))
                .orElse(null);
        this.dropWarnings = new LogThrottle(clock, WARNING_INTERVAL);
        this.malformedWarnings = new LogThrottle(clock, WARNING_INTERVAL);
        this.sinkWarnings = new LogThrottle(clock, WARNING_INTERVAL);
    }

    /** Where replicas send their spans: the API's base URI followed by {@link #PATH}. */
    public URI endpoint() {
        return endpoint;
    }

    /** Starts the thread that delivers to {@code sink}, and the forwarding threads when forwarding is set. */
    @Override
    public synchronized void start(SpanSink sink) {
        requireNonNull(sink, "sink is null");
        if (closed) {
            throw new IllegalStateException("the HTTP trace source is closed");
        }
        if (drainer != null) {
            throw new IllegalStateException("the HTTP trace source is already started");
        }
        drainer = new Thread(() -> drain(sink), "tracing-http-deliver");
        drainer.setDaemon(true);
        drainer.start();
        if (forwarder != null) {
            forwarder.start();
        }
        LOG.info(
                "Collecting Zipkin spans at '{}' (at most {} waiting){}",
                endpoint,
                config.queueSpans(),
                forwarder == null ? "" : ", forwarding every body to '" + forwarder.url() + "'");
    }

    /** {@code ZIPKIN_ENDPOINT}: {@link #endpoint} with the app's credential as {@code ?emp_token=}. */
    @Override
    public Map<String, String> replicaEnvironment(AppRef app, String credential) {
        return Map.of(
                ZIPKIN_ENDPOINT,
                endpoint + "?" + TOKEN_PARAMETER + "=" + URLEncoder.encode(credential, StandardCharsets.UTF_8));
    }

    @Override
    public Optional<SpanReceiver> httpReceiver() {
        return Optional.of(this);
    }

    /**
     * Decodes the body and queues its spans for the sink, without waiting for them to be delivered; spans past the
     * queue's bound are dropped and counted. The body is also queued for forwarding when that is set.
     *
     * @return how many spans were queued
     * @throws PlatformException of category INVALID, saying why, when the body cannot be decoded; of category
     *                           UNAVAILABLE once the source is closed
     */
    @Override
    public int receive(byte[] body, String contentType, String contentEncoding, AppRef sender) {
        requireNonNull(body, "body is null");
        requireNonNull(sender, "sender is null");
        if (closed) {
            throw PlatformException.unavailable(
                    "the HTTP trace collector is closed because the server is stopping; send the spans again once"
                            + " it runs",
                    null);
        }
        List<Span> spans;
        try {
            spans = SpanBodyDecoder.decode(body, contentType, contentEncoding);
        } catch (PlatformException e) {
            malformed.increment();
            if (malformedWarnings.allow()) {
                LOG.warn(
                        "Refused a span body at '{}' ({} bodies so far): {}",
                        endpoint,
                        malformed.sum(),
                        e.getMessage());
            }
            throw e;
        }
        spans = SenderCheck.own(spans, sender, forged);
        received.add(spans.size());
        if (forwarder != null) {
            forwarder.offer(body, contentType, contentEncoding);
        }
        int accepted = queue.reserve(spans.size());
        if (accepted < spans.size()) {
            drop(spans.size() - accepted);
        }
        if (accepted > 0) {
            try {
                queue.add(accepted == spans.size() ? spans : List.copyOf(spans.subList(0, accepted)));
            } catch (RuntimeException e) {
                queue.release(accepted);
                throw e;
            }
        }
        return accepted;
    }

    private void drop(int count) {
        dropped.add(count);
        if (dropWarnings.allow()) {
            LOG.warn(
                    "Dropped {} spans at '{}' ({} so far): {} spans are already waiting for the server, the bound of"
                            + " tracing.http.queue-spans. The apps send spans faster than the server takes them;"
                            + " raise the bound or send fewer spans (sampling).",
                    count,
                    endpoint,
                    dropped.sum(),
                    queue.capacity());
        }
    }

    private void drain(SpanSink sink) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                List<Span> spans = queue.take();
                try {
                    sink.accept(spans);
                    delivered.add(spans.size());
                } catch (RuntimeException e) {
                    sinkFailed.add(spans.size());
                    if (sinkWarnings.allow()) {
                        LOG.warn("The server refused {} spans from '{}'; they are lost", spans.size(), endpoint, e);
                    }
                } finally {
                    queue.release(spans.size());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Received, delivered, dropped and malformed counts, and the forwarding's; unhealthy once closed. */
    @Override
    public Health check() {
        StringBuilder detail = new StringBuilder()
                .append("collecting Zipkin spans at '")
                .append(endpoint)
                .append("': ")
                .append(received.sum())
                .append(" received, ")
                .append(delivered.sum())
                .append(" delivered, ")
                .append(queue.held())
                .append(" waiting (bound ")
                .append(queue.capacity())
                .append("), ")
                .append(dropped.sum())
                .append(" dropped, ")
                .append(malformed.sum())
                .append(" malformed bodies, ")
                .append(forged.sum())
                .append(" bodies refused for another app's spans");
        if (sinkFailed.sum() > 0) {
            detail.append(", ").append(sinkFailed.sum()).append(" refused by the server");
        }
        if (forwarder != null) {
            detail.append("; ").append(forwarder.describe());
        }
        Thread thread;
        synchronized (this) {
            thread = drainer;
        }
        if (closed) {
            return Health.unhealthy("closed; " + detail);
        }
        if (thread != null && !thread.isAlive()) {
            return Health.unhealthy("the delivering thread has stopped; " + detail);
        }
        return Health.healthy(thread == null ? "not started; " + detail : detail.toString());
    }

    long received() {
        return received.sum();
    }

    long dropped() {
        return dropped.sum();
    }

    long malformed() {
        return malformed.sum();
    }

    /**
     * Takes no more bodies, hands the spans still waiting to the server (for up to {@link #CLOSE_DRAIN}: when the
     * server swaps this source for another, they reach the same windows), then stops delivering and forwarding.
     */
    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            thread = drainer;
        }
        if (thread != null) {
            long deadline = System.nanoTime() + CLOSE_DRAIN.toNanos();
            try {
                while (queue.held() > 0 && thread.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread.interrupt();
            try {
                thread.join(WARNING_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (forwarder != null) {
            forwarder.close();
        }
    }
}
