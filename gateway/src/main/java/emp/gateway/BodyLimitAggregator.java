package emp.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.util.ReferenceCountUtil;

/**
 * Aggregates each request with its body, up to a limit, so that a retry can send it again.
 *
 * <p>Netty's aggregator answers a request over the limit itself, with an empty 413, straight onto the connection.
 * This one passes it on instead, as an empty request whose decoder result is a {@link TooLongHttpContentException}, so
 * that the client handler answers it in turn (after any request still in flight on the connection) with a body that
 * says what the limit is.
 *
 * <p>A request without a body (most GETs) is not aggregated: the decoder gives its head and at once the empty end,
 * and these become one {@link FullHttpRequest} that keeps the head's headers, with no buffer to gather into.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {
    /** A request head that may have no body: what follows it tells. */
    private HttpRequest head;

    BodyLimitAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (head != null) {
            HttpRequest start = head;
            head = null;
            if (msg == LastHttpContent.EMPTY_LAST_CONTENT) {
                ctx.fireChannelRead(new DefaultFullHttpRequest(
                        start.protocolVersion(),
                        start.method(),
                        start.uri(),
                        Unpooled.EMPTY_BUFFER,
                        start.headers(),
                        EmptyHttpHeaders.INSTANCE));
                return;
            }
            super.channelRead(ctx, start);
        }
        if (msg instanceof HttpRequest request
                && !(msg instanceof HttpContent)
                && request.decoderResult().isSuccess()
                && !request.headers().contains(HttpHeaderNames.EXPECT)) {
            // An 'Expect' header goes the aggregator's way, which answers it.
            head = request;
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        // A head holds no buffer: there is nothing to release.
        head = null;
        super.handlerRemoved(ctx);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse continueResponse
                && continueResponse.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            // The Content-Length check that follows routes the request to handleOversizedMessage below.
            ReferenceCountUtil.release(response);
            return null;
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest request)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        // As Netty does: once part of the body was read the connection cannot be trusted to find the next request;
        // before that, the rest of the body is skipped and the connection kept if the client wants it.
        boolean keepOpen = !(oversized instanceof FullHttpMessage)
                && (HttpUtil.is100ContinueExpected(oversized) || HttpUtil.isKeepAlive(oversized));
        DefaultFullHttpRequest rejected = new DefaultFullHttpRequest(
                request.protocolVersion(),
                request.method(),
                request.uri(),
                Unpooled.EMPTY_BUFFER,
                request.headers().copy(),
                new DefaultHttpHeaders());
        if (!keepOpen) {
            HttpUtil.setKeepAlive(rejected, false);
        }
        rejected.setDecoderResult(DecoderResult.failure(
                new TooLongHttpContentException("request body over " + maxContentLength() + " bytes")));
        ctx.fireChannelRead(rejected);
    }
}
