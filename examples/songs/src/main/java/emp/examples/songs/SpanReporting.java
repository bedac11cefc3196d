package emp.examples.songs;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.brave.AsyncZipkinSpanHandler;
import zipkin2.reporter.kafka.KafkaSender;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/**
 * Where a service's spans go, chosen from its environment: to Kafka topic {@code zipkin} when
 * {@code KAFKA_ADDRESS} is set, else over HTTP to {@code ZIPKIN_ENDPOINT} when that is set, else nowhere. Spans are
 * sent in the background, in batches, as Zipkin's JSON v2; {@link #close()} sends what is left.
 *
 * <p>EMP takes only spans that come with the app's span credential: over HTTP, {@code ZIPKIN_ENDPOINT} carries it
 * already ({@code ?emp_token=...}) and is posted to as given; over Kafka, every message carries {@code EMP_SPAN_TOKEN}
 * in header {@value SpanTokenInterceptor#HEADER} (see {@link SpanTokenInterceptor}).
 */
public final class SpanReporting implements AutoCloseable {
    /** The Kafka topic spans are sent to, the one Zipkin's own collector reads. */
    public static final String KAFKA_TOPIC = "zipkin";

    private final AsyncZipkinSpanHandler handler;
    private final BytesMessageSender sender;
    private final String description;
    private final SpanHandler counting;
    private final AtomicLong ended = new AtomicLong();

    private SpanReporting(AsyncZipkinSpanHandler handler, BytesMessageSender sender, String description) {
        this.handler = handler;
        this.sender = sender;
        this.description = description;
        this.counting = handler == null
                ? SpanHandler.NOOP
                : new SpanHandler() {
                    @Override
                    public boolean end(TraceContext context, MutableSpan span, Cause cause) {
                        ended.incrementAndGet();
                        return handler.end(context, span, cause);
                    }

                    @Override
                    public String toString() {
                        return handler.toString();
                    }
                };
    }

    /**
     * Reads {@code KAFKA_ADDRESS} (bootstrap servers, {@code host:port[,host:port]}) with {@code EMP_SPAN_TOKEN}, and
     * {@code ZIPKIN_ENDPOINT} (e.g. {@code http://127.0.0.1:7070/api/v2/spans?emp_token=...}). Nothing is connected
     * yet: the first batch connects. Without {@code EMP_SPAN_TOKEN} spans still go to Kafka (a plain Zipkin takes
     * them), but EMP drops them, and the description says so.
     *
     * @throws IllegalArgumentException naming the variable when its value is not understood
     */
    public static SpanReporting fromEnvironment(Map<String, String> env) {
        String kafka = env.get("KAFKA_ADDRESS");
        if (kafka != null && !kafka.isBlank()) {
            // Bounds how long a batch (and so the shutdown's last flush) waits for a broker that is down.
            Map<String, String> overrides = new HashMap<>(Map.of("max.block.ms", "5000"));
            String token = env.get("EMP_SPAN_TOKEN");
            boolean credentialed = token != null && !token.isBlank();
            if (credentialed) {
                overrides.put("interceptor.classes", SpanTokenInterceptor.class.getName());
                overrides.put(SpanTokenInterceptor.TOKEN_CONFIG, token.trim());
            }
            KafkaSender sender = KafkaSender.newBuilder()
                    .bootstrapServers(kafka.trim())
                    .topic(KAFKA_TOPIC)
                    .overrides(overrides)
                    .build();
            return new SpanReporting(
                    AsyncZipkinSpanHandler.create(sender),
                    sender,
                    "to Kafka topic '" + KAFKA_TOPIC + "' at " + kafka.trim()
                            + (credentialed
                                    ? " with header '" + SpanTokenInterceptor.HEADER + "'"
                                    : " without a span credential (EMP_SPAN_TOKEN is not set; EMP drops such"
                                            + " spans)"));
        }
        String endpoint = env.get("ZIPKIN_ENDPOINT");
        if (endpoint != null && !endpoint.isBlank()) {
            String url = endpoint.trim();
            if (!isHttpUrl(url)) {
                throw new IllegalArgumentException("ZIPKIN_ENDPOINT is '" + endpoint
                        + "'; expected the URL of a Zipkin collector, such as http://127.0.0.1:9411/api/v2/spans");
            }
            URLConnectionSender sender = URLConnectionSender.create(url);
            return new SpanReporting(AsyncZipkinSpanHandler.create(sender), sender, "to " + url);
        }
        return new SpanReporting(null, null, "not reported: neither KAFKA_ADDRESS nor ZIPKIN_ENDPOINT is set");
    }

    /** The handler to give the service: spans it ends are queued for sending. */
    public SpanHandler handler() {
        return counting;
    }

    /** Where spans go, for the start-up log line. */
    public String description() {
        return description;
    }

    /** Sends the spans still queued (waiting a second at most), then disconnects. */
    @Override
    public void close() {
        if (handler != null) {
            // Closing alone drops what is still queued; flushing sends it. With no span ever ended there is nothing
            // to send, and a flush would still wait for the transport (up to max.block.ms for a Kafka that is down).
            if (ended.get() > 0) {
                handler.flush();
            }
            handler.close();
        }
        if (sender != null) {
            try {
                sender.close();
            } catch (IOException e) {
                // Closing only releases the connection; the spans were already sent or given up on.
            }
        }
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
