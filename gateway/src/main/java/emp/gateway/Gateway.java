package emp.gateway;

import java.net.URI;

/**
 * The reverse proxy end users call: {@code http://HOST:PORT/{user}/{app}/{rest}} goes to {@code /{rest}} on one of
 * the app's ready replicas.
 */
public final class Gateway implements AutoCloseable {
    public Gateway(GatewayConfig config, RouteTable routes) {
        throw new UnsupportedOperationException("being written");
    }

    /** Binds the port and starts serving. */
    public void start() {
    }

    /** The port it listens on (the real one when the config asked for 0). */
    public int port() {
        return 0;
    }

    /** {@code http://host:port}. */
    public URI baseUri() {
        return null;
    }

    @Override
    public void close() {
    }
}
