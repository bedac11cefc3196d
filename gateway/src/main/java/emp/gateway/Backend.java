package emp.gateway;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * One ready replica the gateway may send requests to.
 *
 * @param id      the replica's id, e.g. {@code hello-2}
 * @param address where it listens
 */
public record Backend(String id, InetSocketAddress address) {
    public Backend {
        requireNonNull(id, "id is null");
        requireNonNull(address, "address is null");
    }
}
