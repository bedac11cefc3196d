package emp.gateway;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.List;
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
    static final String X_FORWARDED_FOR = "X-Forwarded-For";
    static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    static final String X_FORWARDED_PREFIX = "X-Forwarded-Prefix";

    private static final List<CharSequence> HOP_BY_HOP = List.of(
            HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE,
            "Proxy-Connection",
            HttpHeaderNames.PROXY_AUTHENTICATE,
            HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.TE,
            HttpHeaderNames.UPGRADE,
            HttpHeaderNames.TRANSFER_ENCODING);

    private ProxyHeaders() {}

    /**
     * The request to send to {@code backend}: the client's method, headers and body, with the headers rewritten as the
     * class comment says. The body is a retained duplicate, so the client's request can be sent again on a retry; the
     * caller still owns {@code request}.
     *
     * @param span the gateway's span, to name as the replica's parent in place of the incoming trace headers; null to
     *             pass those on untouched
     */
    static FullHttpRequest toBackend(
            FullHttpRequest request,
            RequestTarget target,
            Backend backend,
            InetSocketAddress client,
            String gatewayAuthority,
            TraceContext span) {
        HttpHeaders headers = request.headers().copy();
        boolean hadBody =
                headers.contains(HttpHeaderNames.CONTENT_LENGTH) || headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
        removeHopByHop(headers);
        // The gateway answered any 'Expect: 100-continue' itself and holds the whole body now.
        headers.remove(HttpHeaderNames.EXPECT);
        int length = request.content().readableBytes();
        if (length > 0 || hadBody) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
        } else {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        String clientHost = request.headers().get(HttpHeaderNames.HOST, gatewayAuthority);
        headers.set(HttpHeaderNames.HOST, authority(backend.address()));
        List<String> forwardedFor = headers.getAll(X_FORWARDED_FOR);
        String clientIp = client.getAddress() == null
                ? client.getHostString()
                : client.getAddress().getHostAddress();
        headers.set(
                X_FORWARDED_FOR, forwardedFor.isEmpty() ? clientIp : String.join(", ", forwardedFor) + ", " + clientIp);
        headers.set(X_FORWARDED_PROTO, "http");
        headers.set(X_FORWARDED_HOST, clientHost);
        headers.set(X_FORWARDED_PREFIX, target.prefix());
        if (span != null) {
            TraceHeaders.inject(span, headers);
        }
        return new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                request.method(),
                target.backendUri(),
                request.content().retainedDuplicate(),
                headers,
                new DefaultHttpHeaders());
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
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                String name = token.trim();
                if (!name.isEmpty()) {
                    headers.remove(name);
                }
            }
        }
        for (CharSequence name : HOP_BY_HOP) {
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
