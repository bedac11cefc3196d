package emp.examples.songs;

import brave.http.HttpClientRequest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Brave's view of a request about to be sent with {@code java.net.http.HttpClient}. The JDK's requests are
 * immutable, so this wraps the builder: the headers Brave injects are set on it before it is built.
 */
final class JdkClientRequest extends HttpClientRequest {
    private final String method;
    private final URI uri;
    private final HttpRequest.Builder builder;
    private final Map<String, String> headers = new HashMap<>();

    JdkClientRequest(String method, URI uri, HttpRequest.Builder builder) {
        this.method = method;
        this.uri = uri;
        this.builder = builder;
    }

    @Override
    public HttpRequest.Builder unwrap() {
        return builder;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        String path = uri.getRawPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    @Override
    public String url() {
        return uri.toString();
    }

    @Override
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public void header(String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), value);
        builder.setHeader(name, value);
    }
}
