package emp.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle keep-alive connections to replicas, for one event loop.
 *
 * <p>Every connection it makes is registered on its own event loop, the loop of the client connections it serves,
 * so a request and its replica connection never cross threads, and the pool needs no locks: every method must be
 * called on that loop. The most recently used connection is handed out first, so that under light load the others
 * age out instead of being kept warm for nothing.
 */
final class ConnectionPool {
    /** Idle connections kept per replica and loop; more are closed when they come back. */
    static final int MAX_IDLE_PER_BACKEND = 256;
    /** How long an idle replica connection is kept when the replica does not say ({@code Keep-Alive: timeout}). */
    static final long DEFAULT_KEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    /** Kept off a replica's own idle timeout, so that the gateway gives up a connection before the replica does. */
    static final long KEEP_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Map<InetSocketAddress, ArrayDeque<Idle>> idle = new HashMap<>();

    private record Idle(Channel channel, long expiresAtNanos) {}

    ConnectionPool(EventLoop loop, Bootstrap template) {
        this.loop = loop;
        this.bootstrap = template.clone(loop);
    }

    /**
     * An idle connection to {@code address}, or a new one being made.
     *
     * @return a future that succeeds with an active channel whose pipeline holds a {@link BackendHandler}
     */
    ChannelFuture acquire(InetSocketAddress address) {
        assert loop.inEventLoop();
        ArrayDeque<Idle> queue = idle.get(address);
        if (queue != null) {
            long now = System.nanoTime();
            Idle next;
            while ((next = queue.pollFirst()) != null) {
                if (next.channel().isActive() && now - next.expiresAtNanos() < 0) {
                    return next.channel().newSucceededFuture();
                }
                next.channel().close();
            }
        }
        return connect(address);
    }

    /** A new connection, never an idle one: for a retry after an idle one turned out to be closed by the replica. */
    ChannelFuture connect(InetSocketAddress address) {
        ChannelFuture connecting = bootstrap.connect(address);
        connecting.channel().closeFuture().addListener(closed -> forget(address, connecting.channel()));
        return connecting;
    }

    /**
     * Takes back a connection whose last exchange ended cleanly, to keep it for {@code keepNanos}; closes it instead
     * when it is no longer active or the replica's idle connections are at their limit.
     */
    /** How long to keep a connection whose replica said {@code said} ns in {@code Keep-Alive} (below 0: said none). */
    static long keepNanos(long said) {
        return said < 0 ? DEFAULT_KEEP_NANOS : said - KEEP_MARGIN_NANOS;
    }

    void release(InetSocketAddress address, Channel channel, long keepNanos) {
        assert loop.inEventLoop();
        if (!channel.isActive() || keepNanos <= 0) {
            channel.close();
            return;
        }
        channel.config().setAutoRead(true);
        ArrayDeque<Idle> queue = idle.computeIfAbsent(address, any -> new ArrayDeque<>());
        long now = System.nanoTime();
        Idle oldest;
        while ((oldest = queue.peekLast()) != null && now - oldest.expiresAtNanos() >= 0) {
            queue.pollLast().channel().close();
        }
        if (queue.size() >= MAX_IDLE_PER_BACKEND) {
            channel.close();
            return;
        }
        queue.addFirst(new Idle(channel, now + keepNanos));
    }

    private void forget(InetSocketAddress address, Channel channel) {
        ArrayDeque<Idle> queue = idle.get(address);
        if (queue == null) {
            return;
        }
        for (Iterator<Idle> it = queue.iterator(); it.hasNext(); ) {
            if (it.next().channel() == channel) {
                it.remove();
                break;
            }
        }
        if (queue.isEmpty()) {
            idle.remove(address);
        }
    }
}
