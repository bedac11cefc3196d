package emp.examples.songs;

import brave.Span;
import brave.http.HttpServerRequest;
import com.sun.net.httpserver.HttpExchange;
import java.net.InetSocketAddress;

/** Brave's view of a request received by the JDK's HTTP server. */
final class ExchangeRequest extends HttpServerRequest {
    private final HttpExchange exchange;

    ExchangeRequest(HttpExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public HttpExchange unwrap() {
        return exchange;
    }

    @Override
    public String method() {
        return exchange.getRequestMethod();
    }

    @Override
    public String path() {
        return exchange.getRequestURI().getRawPath();
    }

    @Override
    public String url() {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            InetSocketAddress local = exchange.getLocalAddress();
            host = local.getHostString() + ":" + local.getPort();
        }
        return "http://" + host + exchange.getRequestURI().toString();
    }

    @Override
    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    @Override
    public boolean parseClientIpAndPort(Span span) {
        // Behind EMP's gateway the peer is the gateway; X-Forwarded-For names the end user.
        if (parseClientIpFromXForwardedFor(span)) {
            return true;
        }
        InetSocketAddress remote = exchange.getRemoteAddress();
        return remote != null && span.remoteIpAndPort(remote.getAddress().getHostAddress(), remote.getPort());
    }
}
