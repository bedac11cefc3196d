package emp.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of a replica connection: hands what the replica sends to the exchange using the connection, if
 * any. A replica that speaks while no exchange uses its connection is out of step, so the connection is closed.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private ProxyExchange exchange;
    private int exchangesServed;

    /** Lends the connection to {@code exchange} until it {@link #detach}es. */
    void attach(ProxyExchange exchange) {
        this.exchange = exchange;
    }

    /** Ends the loan; after it, nothing the connection does reaches the exchange. */
    void detach() {
        if (exchange != null) {
            exchange = null;
            exchangesServed++;
        }
    }

    /** Whether the connection was used before, i.e. came from the pool rather than a fresh connect. */
    boolean reused() {
        return exchangesServed > 0;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        exchange.onBackendMessage(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onBackendReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onBackendClosed(ctx.channel(), null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (exchange != null) {
            exchange.onBackendClosed(ctx.channel(), cause);
        }
        ctx.close();
    }
}
