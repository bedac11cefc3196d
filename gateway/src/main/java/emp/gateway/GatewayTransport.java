package emp.gateway;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The socket transport of the gateway's event loops: Linux's epoll through Netty's native library where it loads
 * (Linux x86_64, the native jar on the class path), else Java's NIO. Epoll spends less CPU per request: it reads and
 * writes pooled buffers by address, with no selected-key sets or NIO buffer views to make per call.
 * {@code -Dio.netty.transport.noNative=true} makes Netty report epoll unavailable, and so forces NIO.
 *
 * @param name                what the gateway's log calls it
 * @param ioHandlerFactory    for the event loops
 * @param serverChannelClass  for the listening socket
 * @param socketChannelClass  for replica connections
 */
record GatewayTransport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannelClass,
        Class<? extends SocketChannel> socketChannelClass) {

    /** Epoll when available, else NIO. */
    static GatewayTransport detect() {
        if (Epoll.isAvailable()) {
            return new GatewayTransport(
                    "epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
        }
        return nio();
    }

    static GatewayTransport nio() {
        return new GatewayTransport(
                "nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    /** Why epoll is not used, for the log; null when it is available. */
    static String epollUnavailableReason() {
        Throwable cause = Epoll.unavailabilityCause();
        return cause == null ? null : cause.toString();
    }
}
