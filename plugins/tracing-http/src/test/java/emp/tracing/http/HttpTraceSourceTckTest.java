package emp.tracing.http;

import emp.spi.AppRef;
import emp.spi.tracing.Span;
import emp.spi.tracing.TraceSource;
import emp.tck.tracing.AbstractTraceSourceTck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The trace source kit against the HTTP collector, fed over HTTP: each batch is posted in JSON v2 to a
 * {@link SpansEndpoint} that serves the source's receiver the way the host does on its API port. The endpoint stands
 * in for the host's check of the span credential (its own tests' business) by taking the sender from the URL, as the
 * plugin's other tests do.
 */
class HttpTraceSourceTckTest extends AbstractTraceSourceTck {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SpansEndpoint endpoint;

    @Override
    protected TraceSource newSource() {
        HttpTraceSource source =
                new HttpTraceSource(HttpTraceConfig.defaults(), URI.create("http://127.0.0.1:7070"), Clock.systemUTC());
        try {
            endpoint = new SpansEndpoint(source.httpReceiver().orElseThrow());
        } catch (IOException e) {
            throw new UncheckedIOException("the spans endpoint did not start", e);
        }
        return source;
    }

    @AfterEach
    void closeEndpoint() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Override
    protected void deliver(AppRef sender, List<Span> spans) throws Exception {
        deliverRaw(sender, ZipkinEncoding.json(spans));
    }

    @Override
    protected void deliverRaw(AppRef sender, byte[] payload) throws Exception {
        HTTP.send(
                HttpRequest.newBuilder(URI.create(endpoint.url(sender)))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }
}
