package emp.tracing.http;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code tracing.http} section of the server configuration.
 *
 * @param queueSpans         how many spans may wait for the host at once ({@code queue-spans}, default 100000); past
 *                           it, arriving spans are dropped and counted, so a host that falls behind costs spans, never
 *                           memory
 * @param forwardUrl         where to re-post every accepted body as it came, e.g. a real Zipkin server's
 *                           {@code http://127.0.0.1:9411/api/v2/spans} ({@code forward-url}, default none)
 * @param forwardQueueBytes  how many bytes of bodies may wait to be forwarded at once ({@code forward-queue-bytes},
 *                           default 32 MiB); past it, bodies are not forwarded and are counted
 * @param forwardTimeout     how long one forwarding post may take, connecting included ({@code forward-timeout},
 *                           default 10s)
 */
public record HttpTraceConfig(
        int queueSpans, Optional<URI> forwardUrl, int forwardQueueBytes, Duration forwardTimeout) {

    /** The section's prefix in the server configuration. */
    public static final String SECTION = "tracing.http";

    static final String QUEUE_SPANS = "queue-spans";
    static final String FORWARD_URL = "forward-url";
    static final String FORWARD_QUEUE_BYTES = "forward-queue-bytes";
    static final String FORWARD_TIMEOUT = "forward-timeout";

    /** The section's keys. */
    public static final Set<String> KEYS = Set.of(QUEUE_SPANS, FORWARD_URL, FORWARD_QUEUE_BYTES, FORWARD_TIMEOUT);

    static final int DEFAULT_QUEUE_SPANS = 100_000;
    static final int MAX_QUEUE_SPANS = 10_000_000;
    static final int DEFAULT_FORWARD_QUEUE_BYTES = 32 * 1024 * 1024;
    static final int MIN_FORWARD_QUEUE_BYTES = 64 * 1024;
    static final Duration DEFAULT_FORWARD_TIMEOUT = Duration.ofSeconds(10);

    public HttpTraceConfig {
        requireNonNull(forwardUrl, "forwardUrl is null");
        requireNonNull(forwardTimeout, "forwardTimeout is null");
        if (queueSpans < 1 || queueSpans > MAX_QUEUE_SPANS) {
            throw new IllegalArgumentException("queueSpans is not from 1 to " + MAX_QUEUE_SPANS + ": " + queueSpans);
        }
        if (forwardQueueBytes < MIN_FORWARD_QUEUE_BYTES) {
            throw new IllegalArgumentException(
                    "forwardQueueBytes is below " + MIN_FORWARD_QUEUE_BYTES + ": " + forwardQueueBytes);
        }
        if (forwardTimeout.isNegative() || forwardTimeout.isZero()) {
            throw new IllegalArgumentException("forwardTimeout is not positive: " + forwardTimeout);
        }
    }

    /** The defaults: a 100000-span queue, no forwarding. */
    public static HttpTraceConfig defaults() {
        return new HttpTraceConfig(
                DEFAULT_QUEUE_SPANS, Optional.empty(), DEFAULT_FORWARD_QUEUE_BYTES, DEFAULT_FORWARD_TIMEOUT);
    }

    /**
     * Binds and checks the section.
     *
     * @throws PlatformException of category INVALID naming an unknown key or a value that is out of range
     */
    public static HttpTraceConfig from(PluginConfig config) {
        requireNonNull(config, "config is null");
        config.requireKnown(KEYS);
        int queueSpans = config.integer(QUEUE_SPANS, DEFAULT_QUEUE_SPANS, 1, MAX_QUEUE_SPANS);
        Optional<URI> forwardUrl = config.get(FORWARD_URL).map(value -> forwardUrl(config, value));
        int forwardQueueBytes = config.integer(
                FORWARD_QUEUE_BYTES, DEFAULT_FORWARD_QUEUE_BYTES, MIN_FORWARD_QUEUE_BYTES, Integer.MAX_VALUE);
        Duration forwardTimeout = config.duration(FORWARD_TIMEOUT, DEFAULT_FORWARD_TIMEOUT);
        if (forwardTimeout.isNegative() || forwardTimeout.isZero()) {
            throw PlatformException.invalid(
                    config.fullKey(FORWARD_TIMEOUT),
                    "configuration key '" + config.fullKey(FORWARD_TIMEOUT) + "' is '"
                            + config.get(FORWARD_TIMEOUT).orElse("") + "'; expected a positive duration such as 10s");
        }
        return new HttpTraceConfig(queueSpans, forwardUrl, forwardQueueBytes, forwardTimeout);
    }

    private static URI forwardUrl(PluginConfig config, String value) {
        String key = config.fullKey(FORWARD_URL);
        String expected = "configuration key '" + key + "' is '" + value
                + "'; expected an http:// or https:// URL such as http://127.0.0.1:9411/api/v2/spans";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw PlatformException.invalid(key, expected);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw PlatformException.invalid(key, expected);
        }
        return uri;
    }
}
