package emp.gateway;

import java.time.Duration;

/**
 * How the gateway listens and talks to replicas.
 *
 * @param host            the address to listen on, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port            the port to listen on; 0 picks a free one
 * @param connectTimeout  how long to wait for a replica's connection before trying another
 * @param responseTimeout how long a replica may take to answer before the gateway answers 504
 * @param maxBodyBytes    the largest request body accepted (413 beyond)
 */
public record GatewayConfig(String host, int port, Duration connectTimeout, Duration responseTimeout, int maxBodyBytes) {
    public static GatewayConfig defaults(String host, int port) {
        return new GatewayConfig(host, port, Duration.ofSeconds(2), Duration.ofSeconds(60), 16 * 1024 * 1024);
    }
}
