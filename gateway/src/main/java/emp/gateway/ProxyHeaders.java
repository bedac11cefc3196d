package emp.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The header rules of the proxy.
 *
 * <p>Hop-by-hop headers ({@code Connection} and every header it names, {@code Keep-Alive}, {@code Proxy-*},
 * {@code TE}, {@code Upgrade}, {@code Transfer-Encoding}) describe one connection and are never passed on; the
 * gateway frames each message again for the next hop. {@code Host} is rewritten to the replica's address, as the
 * replica would see it if called directly; the client's {@code Host} goes in {@code X-Forwarded-Host}.
 * {@code X-Forwarded-For} gets the client's address appended; {@code X-Forwarded-Proto} ({@code http}: the gateway
 * does not terminate TLS), {@code X-Forwarded-Host} and {@code X-Forwarded-Prefix} ({@code /{user}/{app}}) are
 * replaced, since the gateway is the edge and a client could otherwise forge them. Trace headers are replaced by
 * {@link TraceHeaders} when the gateway records spans.
 */
final class ProxyHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    static final AsciiString X_FORWARDED_PREFIX = AsciiString.cached("X-Forwarded-Prefix");

    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION,
        HttpHeaderNames.KEEP_ALIVE,
        AsciiString.cached("Proxy-Connection"),
        HttpHeaderNames.PROXY_AUTHENTICATE,
        HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.TE,
        HttpHeaderNames.UPGRADE,
        HttpHeaderNames.TRANSFER_ENCODING
    };

    private ProxyHeaders() {}

    /**
     * Rewrites the client's request headers for the replicas, in place and once per request, as the class comment says,
     * but for {@code Host}, which names the replica and so is set by {@link #toBackend} for each one tried.
     *
     * @param clientIp         the client's address, to append to {@code X-Forwarded-For}
     * @param gatewayAuthority the gateway's {@code host:port}, for {@code X-Forwarded-Host} when the client sent no
     *                         {@code Host}
     * @param span             the gateway's span, to name as the replica's parent in place of the incoming trace
     *                         headers; null to pass those on untouched
     */
    static void forBackends(
            FullHttpRequest request,
            RequestTarget target,
            String clientIp,
            String gatewayAuthority,
            TraceContext span) {
        HttpHeaders headers = request.headers();
        boolean hadBody =
                headers.contains(HttpHeaderNames.CONTENT_LENGTH) || headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
        removeHopByHop(headers);
        // The gateway answered any 'Expect: 100-continue' itself and holds the whole body now.
        headers.remove(HttpHeaderNames.EXPECT);
        int length = request.content().readableBytes();
        if (length > 0 || hadBody) {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        } else {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        String clientHost = headers.get(HttpHeaderNames.HOST, gatewayAuthority);
        if (headers.contains(X_FORWARDED_FOR)) {
            headers.set(X_FORWARDED_FOR, String.join(", ", headers.getAll(X_FORWARDED_FOR)) + ", " + clientIp);
        } else {
            headers.set(X_FORWARDED_FOR, clientIp);
        }
        headers.set(X_FORWARDED_PROTO, HTTP);
        headers.set(X_FORWARDED_HOST, clientHost);
        headers.set(X_FORWARDED_PREFIX, target.prefix());
        if (span != null) {
            TraceHeaders.inject(span, headers);
        }
    }

    /**
     * The request to send to the replica at {@code backendAuthority}: the client's method and body, and its headers as
     * {@link #forBackends} rewrote them with {@code Host} naming the replica. The headers are the client request's own
     * object, not a copy: the request is encoded as it is written, on the event loop that owns both connections,
     * before another replica may be tried. The body is a retained duplicate, so the client's request can be sent again
     * on a retry; the caller still owns {@code request}.
     */
    static FullHttpRequest toBackend(FullHttpRequest request, RequestTarget target, String backendAuthority) {
        HttpHeaders headers = request.headers();
        headers.set(HttpHeaderNames.HOST, backendAuthority);
        ByteBuf content = request.content();
        return new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                request.method(),
                target.backendUri(),
                content.isReadable() ? content.retainedDuplicate() : Unpooled.EMPTY_BUFFER,
                headers,
                EmptyHttpHeaders.INSTANCE);
    }

    /**
     * Rewrites a replica's response head for the client, in place.
     *
     * @param requestMethod   the method of the client's request it answers
     * @param clientVersion   the HTTP version the client speaks
     * @param clientKeepAlive whether the client wants to keep its connection after this exchange
     * @return how the response body is delimited for the client
     */
    static Framing toClient(
            HttpResponse response, HttpMethod requestMethod, HttpVersion clientVersion, boolean clientKeepAlive) {
        HttpHeaders headers = response.headers();
        boolean bodyless = requestMethod.equals(HttpMethod.HEAD) || isBodyless(response);
        boolean byLength = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        boolean backendReusable = HttpUtil.isKeepAlive(response) && (bodyless || byLength || chunked);
        long backendKeepAliveNanos = keepAliveTimeoutNanos(headers);
        removeHopByHop(headers);
        boolean closeAfter = !clientKeepAlive;
        if (!bodyless && !byLength) {
            if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
                // An HTTP/1.0 client cannot read chunks: the end of the connection ends the body.
                closeAfter = true;
            } else {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (closeAfter) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return new Framing(closeAfter, backendReusable, backendKeepAliveNanos);
    }

    /**
     * How a response travels on.
     *
     * @param closeClient            close the client's connection once the response is written
     * @param backendReusable        the replica's connection may carry another request once the response is read
     * @param backendKeepAliveNanos  how long the replica said it keeps an idle connection, or -1 when it did not say
     */
    record Framing(boolean closeClient, boolean backendReusable, long backendKeepAliveNanos) {}

    /** {@code host:port} as a {@code Host} header names it, with brackets around an IPv6 address. */
    static String authority(InetSocketAddress address) {
        String host = address.getAddress() == null
                ? address.getHostString()
                : address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static boolean isBodyless(HttpResponse response) {
        int code = response.status().code();
        return response.status().codeClass() == HttpStatusClass.INFORMATIONAL || code == 204 || code == 304;
    }

    private static void removeHopByHop(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
                for (String token : connection.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty()) {
                        headers.remove(name);
                    }
                }
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /** The {@code timeout=N} (seconds) of a {@code Keep-Alive} header, in nanoseconds; -1 when absent. */
    private static long keepAliveTimeoutNanos(HttpHeaders headers) {
        String keepAlive = headers.get(HttpHeaderNames.KEEP_ALIVE);
        if (keepAlive == null) {
            return -1;
        }
        for (String parameter : keepAlive.split(",")) {
            String[] pair = parameter.trim().split("=", 2);
            if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("timeout")) {
                try {
                    return TimeUnit.SECONDS.toNanos(Long.parseLong(pair[1].trim()));
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
