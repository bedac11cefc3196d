package emp.host.api;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.jetty.server.Request;

/**
 * The client at the other end of a request's connection, for the audit log and the login throttle.
 *
 * @param address its IP address, or null when the connection does not say
 * @param local   whether it is on the server's own machine (a loopback address)
 */
record Client(String address, boolean local) {
    static Client of(Request request) {
        if (request == null) {
            return new Client(null, false);
        }
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            InetAddress address = inet.getAddress();
            return new Client(address.getHostAddress(), address.isLoopbackAddress());
        }
        return new Client(null, false);
    }
}
