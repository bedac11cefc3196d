package emp.gateway;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end user's connection: takes its requests, whole, one at a time and in order, finds the app each names and
 * hands it to a {@link ProxyExchange}, or answers it itself when there is no app to hand it to.
 *
 * <p>A client that pipelines (sends the next request before the answer to the last) has its requests queued; past
 * {@link #MAX_QUEUED} the connection stops being read until the queue drains.
 *
 * <p>The connection has one timer for all its deadlines: its exchange's (a place in line, an answer awaited) and its
 * own idle timeout ({@link Gateway#CLIENT_IDLE_SECONDS} without a request closes it). It is set once and, when it
 * fires, set again for whatever deadline is next, rather than made and cancelled for every request; it is moved only
 * when a deadline comes before the one it is set for.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    static final int MAX_QUEUED = 16;
    private static final int MAX_QUOTED_PATH = 200;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(Gateway.CLIENT_IDLE_SECONDS);
    private static final Logger LOG = LoggerFactory.getLogger(ClientHandler.class);

    private final ProxyContext context;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private final Runnable onTimer = this::onTimer;
    private ChannelHandlerContext ctx;
    private ProxyExchange current;
    private boolean closing;
    private ConnectionPool pool;
    private String clientIp;
    private String gatewayAuthority;
    /** When the connection last had a request or finished an answer, for its idle timeout. */
    private long lastActiveNanos;

    private ScheduledFuture<?> timer;
    private long timerAtNanos;

    ClientHandler(ProxyContext context) {
        this.context = requireNonNull(context, "context is null");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        lastActiveNanos = System.nanoTime();
        wakeAt(lastActiveNanos + IDLE_NANOS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastActiveNanos = System.nanoTime();
        if (current != null || !queued.isEmpty()) {
            queued.add(request);
            if (queued.size() >= MAX_QUEUED) {
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        serve(request);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        ProxyExchange exchange = current;
        current = null;
        if (exchange != null) {
            exchange.onClientClosed();
        }
        releaseQueued();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.onClientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Makes sure the connection's timer fires by {@code deadlineNanos} (a {@link System#nanoTime()} value); it may
     * fire earlier, for an earlier deadline, and whoever set this one checks it again then.
     */
    void wakeAt(long deadlineNanos) {
        if (timer != null) {
            if (timerAtNanos - deadlineNanos <= 0) {
                return;
            }
            timer.cancel(false);
        }
        timerAtNanos = deadlineNanos;
        timer = ctx.executor().schedule(onTimer, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        if (closing) {
            return;
        }
        long now = System.nanoTime();
        if (current != null) {
            // The exchange times itself out, or asks to be woken again.
            current.onDeadline(now);
            return;
        }
        if (!queued.isEmpty()) {
            return;
        }
        // An idle keep-alive connection holds a socket for nothing.
        if (now - lastActiveNanos >= IDLE_NANOS) {
            ctx.close();
        } else {
            wakeAt(lastActiveNanos + IDLE_NANOS);
        }
    }

    /** The pool of replica connections of this connection's event loop. */
    ConnectionPool pool() {
        if (pool == null) {
            pool = context.pool(ctx.channel().eventLoop());
        }
        return pool;
    }

    /** The client's IP address, as {@code X-Forwarded-For} names it. */
    String clientIp() {
        if (clientIp == null) {
            InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
            clientIp = client.getAddress() == null
                    ? client.getHostString()
                    : client.getAddress().getHostAddress();
        }
        return clientIp;
    }

    /** The gateway's {@code host:port} on this connection. */
    String gatewayAuthority() {
        if (gatewayAuthority == null) {
            gatewayAuthority =
                    ProxyHeaders.authority((InetSocketAddress) ctx.channel().localAddress());
        }
        return gatewayAuthority;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("closing client connection {} after an error", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    /**
     * Called by the exchange of the current request once its answer is written (or failed, or the client left).
     *
     * @param lastWrite   the write of the answer's last part
     * @param closeClient whether to close the connection after that write
     */
    void exchangeDone(ProxyExchange exchange, ChannelFuture lastWrite, boolean closeClient) {
        if (exchange != current) {
            return;
        }
        current = null;
        afterAnswer(lastWrite, closeClient);
    }

    private void serve(FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            rejectUnreadable(request, decoded.cause(), keepAlive);
            return;
        }
        Optional<RequestTarget> parsed = RequestTarget.parse(request.uri());
        if (parsed.isEmpty()) {
            answer(
                    request,
                    HttpResponseStatus.NOT_FOUND,
                    "no app in path '" + quotablePath(request.uri())
                            + "'; the gateway serves http://HOST:PORT/{user}/{app}/... with a user and an app name",
                    keepAlive);
            return;
        }
        RequestTarget target = parsed.get();
        Optional<Route> route;
        try {
            route = requireNonNull(context.routes().route(target.user(), target.app()), "route table answered null");
        } catch (RuntimeException e) {
            LOG.warn("route table failed for app '{}'", target.appName(), e);
            answer(
                    request,
                    HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "the gateway could not look up app '" + target.appName() + "' (" + e.getMessage()
                            + "); the platform's log has the details",
                    keepAlive);
            return;
        }
        if (route.isEmpty()) {
            context.forgetQueue(target.user(), target.app());
            answer(
                    request,
                    HttpResponseStatus.NOT_FOUND,
                    "no app '" + target.appName()
                            + "'; check the user and app names in the URL (emp list shows the apps)",
                    keepAlive);
            return;
        }
        ProxyExchange exchange = new ProxyExchange(this, ctx, request, target, route.get(), context);
        // Set before start: the exchange may finish, and call back, within start().
        current = exchange;
        exchange.start();
    }

    private void rejectUnreadable(FullHttpRequest request, Throwable cause, boolean keepAlive) {
        if (cause instanceof TooLongHttpContentException) {
            long declared = HttpUtil.getContentLength(request, -1L);
            answer(
                    request,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body "
                            + (declared >= 0 ? "of " + declared + " bytes " : "") + "is over the gateway's limit of "
                            + context.config().maxBodyBytes() + " bytes; send a smaller body",
                    keepAlive);
        } else if (cause instanceof TooLongHttpLineException) {
            answer(
                    request,
                    HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    "request line is too long for the gateway; shorten the URL",
                    false);
        } else if (cause instanceof TooLongHttpHeaderException) {
            answer(
                    request,
                    HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "request headers are too large for the gateway; send fewer or shorter headers",
                    false);
        } else {
            // After a malformed request the decoder cannot find where the next one starts: close.
            answer(
                    request,
                    HttpResponseStatus.BAD_REQUEST,
                    "the gateway could not read the request as HTTP/1.1 (" + cause.getMessage() + ")",
                    false);
        }
    }

    private void answer(FullHttpRequest request, HttpResponseStatus status, String message, boolean keepAlive) {
        var version = request.protocolVersion();
        request.release();
        ChannelFuture written = ctx.writeAndFlush(PlainTextResponse.of(status, message, keepAlive, version));
        afterAnswer(written, !keepAlive);
    }

    private void afterAnswer(ChannelFuture lastWrite, boolean closeClient) {
        lastActiveNanos = System.nanoTime();
        if (closeClient) {
            closing = true;
            releaseQueued();
            lastWrite.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (closing) {
            return;
        }
        FullHttpRequest next = queued.poll();
        if (!ctx.channel().config().isAutoRead() && queued.size() < MAX_QUEUED) {
            ctx.channel().config().setAutoRead(true);
        }
        if (next != null) {
            serve(next);
        } else if (current == null) {
            wakeAt(lastActiveNanos + IDLE_NANOS);
        }
    }

    private void releaseQueued() {
        FullHttpRequest request;
        while ((request = queued.poll()) != null) {
            request.release();
        }
    }

    private static String quotablePath(String uri) {
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        return path.length() <= MAX_QUOTED_PATH ? path : path.substring(0, MAX_QUOTED_PATH) + "...";
    }
}
