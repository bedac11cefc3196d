package emp.gateway;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the gateway listens and talks to replicas.
 *
 * @param host            the address to listen on, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port            the port to listen on; 0 picks a free one
 * @param connectTimeout  how long to wait for a replica's connection before trying another
 * @param responseTimeout how long a replica may take to answer before the gateway answers 504; once the answer has
 *                        started, also the longest pause allowed between two pieces of it
 * @param maxBodyBytes    the largest request body accepted (413 beyond)
 * @param maxQueuedPerApp the most requests that wait for a free replica of one app (503 with {@code Retry-After}
 *                        beyond)
 */
public record GatewayConfig(
        String host,
        int port,
        Duration connectTimeout,
        Duration responseTimeout,
        int maxBodyBytes,
        int maxQueuedPerApp) {
    /** The most requests that wait for one app by default. */
    public static final int DEFAULT_MAX_QUEUED_PER_APP = 1000;

    public GatewayConfig {
        requireNonNull(host, "host is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(responseTimeout, "responseTimeout is null");
        if (host.isBlank()) {
            throw new IllegalArgumentException("gateway host is blank; give an address to listen on such as 127.0.0.1");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(
                    "gateway port " + port + " is not a port; use 0-65535 (0 picks a free one)");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("gateway connectTimeout '" + connectTimeout + "' must be positive");
        }
        if (responseTimeout.isNegative() || responseTimeout.isZero()) {
            throw new IllegalArgumentException("gateway responseTimeout '" + responseTimeout + "' must be positive");
        }
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("gateway maxBodyBytes " + maxBodyBytes + " must be positive");
        }
        if (maxQueuedPerApp < 0) {
            throw new IllegalArgumentException(
                    "gateway maxQueuedPerApp " + maxQueuedPerApp + " is negative; 0 lets no request wait");
        }
    }

    /** With {@link #DEFAULT_MAX_QUEUED_PER_APP} requests waiting per app at most. */
    public GatewayConfig(String host, int port, Duration connectTimeout, Duration responseTimeout, int maxBodyBytes) {
        this(host, port, connectTimeout, responseTimeout, maxBodyBytes, DEFAULT_MAX_QUEUED_PER_APP);
    }

    /** Connect within 2 s, answer within 60 s, bodies up to 16 MiB, 1000 requests waiting per app. */
    public static GatewayConfig defaults(String host, int port) {
        return new GatewayConfig(host, port, Duration.ofSeconds(2), Duration.ofSeconds(60), 16 * 1024 * 1024);
    }
}
