package emp.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Where the server listens and what it calls itself before it listens. */
final class ServerPorts {
    private ServerPorts() {}

    /** This machine's name, for a server id; {@code localhost} when it has none. */
    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /**
     * A port free on {@code host} now, for {@code api.port 0}: the API's address must be known before the server is
     * built (plugins are told it), so the port is chosen first and bound later. Chosen below the kernel's ephemeral
     * range (32768 and up on Linux), where no outgoing connection (to Redis, say) can take it in between; the
     * kernel's own choice only if none is free there.
     */
    static int free(String host) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(20_000, 32_768);
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(host, port));
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }
}
