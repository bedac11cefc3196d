package emp.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.util.ReferenceCountUtil;

/**
 * Aggregates each request with its body, up to a limit, so that a retry can send it again.
 *
 * <p>Netty's aggregator answers a request over the limit itself, with an empty 413, straight onto the connection.
 * This one passes it on instead, as an empty request whose decoder result is a {@link TooLongHttpContentException}, so
 * that the client handler answers it in turn (after any request still in flight on the connection) with a body that
 * says what the limit is.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {
    BodyLimitAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
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
