package emp.gateway;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The gateway's own answers: a status and one line of plain text saying what happened and what to do. */
final class PlainTextResponse {
    private PlainTextResponse() {}

    /**
     * @param keepAlive     whether the client's connection stays open after it
     * @param clientVersion the client's HTTP version, to say {@code keep-alive} to an HTTP/1.0 client
     */
    static FullHttpResponse of(
            HttpResponseStatus status, String message, boolean keepAlive, HttpVersion clientVersion) {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return response;
    }

    /** A 503 with {@code Retry-After} when {@code retryAfterSeconds} is above 0. */
    static FullHttpResponse unavailable(
            String message, long retryAfterSeconds, boolean keepAlive, HttpVersion clientVersion) {
        FullHttpResponse response = of(HttpResponseStatus.SERVICE_UNAVAILABLE, message, keepAlive, clientVersion);
        if (retryAfterSeconds > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        return response;
    }
}
