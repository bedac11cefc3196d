package emp.host.api;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.tracing.SpanReceiver;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * {@code /api/v2/spans}: Zipkin's own collector endpoint, on the API port, so replicas report with any Zipkin
 * reporter to {@code ZIPKIN_ENDPOINT}. Like Zipkin, it needs no token and answers 202.
 */
@Path("/api/v2/spans")
public final class SpansResource {
    private final Optional<SpanReceiver> receiver;

    SpansResource(Optional<SpanReceiver> receiver) {
        this.receiver = receiver;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response receive(
            byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding) {
        SpanReceiver spans = receiver.orElseThrow(
                () -> new PlatformException(
                        ErrorCategory.NOT_FOUND,
                        "this server does not collect spans over HTTP (tracing.use is not 'http'); send them to its trace source, or start it with --tracing http"));
        spans.receive(body, contentType, contentEncoding);
        return Response.accepted().build();
    }
}
