package emp.gateway;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Optional;

/**
 * Where a request addressed to the gateway goes: {@code /{user}/{app}/{rest}?{query}} names the app and the
 * {@code /{rest}?{query}} to ask its replica for.
 *
 * @param user       the user, percent-decoded, as the route table knows it
 * @param app        the app, percent-decoded
 * @param prefix     {@code /{user}/{app}} as the client wrote it, for {@code X-Forwarded-Prefix}
 * @param backendUri the path and query to send to the replica; {@code /} at least
 */
record RequestTarget(String user, String app, String prefix, String backendUri) {
    RequestTarget {
        requireNonNull(user, "user is null");
        requireNonNull(app, "app is null");
        requireNonNull(prefix, "prefix is null");
        requireNonNull(backendUri, "backendUri is null");
    }

    /** {@code user/app}, the way people name an app. */
    String appName() {
        return user + "/" + app;
    }

    /**
     * Reads the request-target of a request line.
     *
     * @return empty when the path does not start with two non-empty segments
     */
    static Optional<RequestTarget> parse(String uri) {
        String pathAndQuery = uri;
        // A client may send the absolute form (http://host/path) as if the gateway were a forward proxy.
        int scheme = uri.indexOf("://");
        if (scheme > 0 && uri.indexOf('/') > scheme) {
            int pathStart = uri.indexOf('/', scheme + 3);
            pathAndQuery = pathStart < 0 ? "/" : uri.substring(pathStart);
        }
        int fragment = pathAndQuery.indexOf('#');
        if (fragment >= 0) {
            pathAndQuery = pathAndQuery.substring(0, fragment);
        }
        int queryStart = pathAndQuery.indexOf('?');
        String path = queryStart < 0 ? pathAndQuery : pathAndQuery.substring(0, queryStart);
        String query = queryStart < 0 ? "" : pathAndQuery.substring(queryStart);
        if (!path.startsWith("/")) {
            return Optional.empty();
        }
        int userEnd = path.indexOf('/', 1);
        if (userEnd <= 1) {
            return Optional.empty();
        }
        int appEnd = path.indexOf('/', userEnd + 1);
        String rawApp = appEnd < 0 ? path.substring(userEnd + 1) : path.substring(userEnd + 1, appEnd);
        if (rawApp.isEmpty()) {
            return Optional.empty();
        }
        String rawUser = path.substring(1, userEnd);
        String rest = appEnd < 0 ? "/" : path.substring(appEnd);
        return Optional.of(new RequestTarget(
                decodeSegment(rawUser), decodeSegment(rawApp), "/" + rawUser + "/" + rawApp, rest + query));
    }

    private static String decodeSegment(String raw) {
        // In a path '+' is itself, not a space as in a query string.
        return QueryStringDecoder.decodeComponent(raw.replace("+", "%2B"));
    }
}
