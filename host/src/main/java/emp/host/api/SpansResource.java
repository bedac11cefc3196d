package emp.host.api;

import emp.host.tracing.SpanGate;
import emp.spi.AppRef;
import emp.spi.PlatformException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code /api/v2/spans}: Zipkin's own collector endpoint, on the API port, so replicas report with any Zipkin
 * reporter to {@code ZIPKIN_ENDPOINT}. Unlike Zipkin's, it takes spans only with the sending app's span credential,
 * which {@code ZIPKIN_ENDPOINT} carries ({@code ?emp_token=...}), or as {@code Authorization: Bearer
 * <EMP_SPAN_TOKEN>}; and only that app's spans. Answers 202, as Zipkin does.
 */
@Path("/api/v2/spans")
public final class SpansResource {
    /** The query parameter that carries a span credential. */
    public static final String TOKEN_PARAMETER = "emp_token";

    private static final String BEARER = "bearer ";

    private final SpanGate gate;

    SpansResource(SpanGate gate) {
        this.gate = gate;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response receive(
            InputStream body,
            @QueryParam(TOKEN_PARAMETER) String token,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding) {
        gate.requireHttpCollection();
        String credential = token != null
                ? token
                : authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                        ? authorization.substring(BEARER.length()).trim()
                        : null;
        // Judged before its body is read: a client without a credential gets no more than its headers read.
        AppRef sender = gate.sender(credential);
        byte[] bytes;
        try {
            bytes = body.readAllBytes();
        } catch (IOException e) {
            throw PlatformException.invalid(
                    null, "the span body could not be read (" + e.getMessage() + "); send it again");
        }
        gate.receive(bytes, contentType, contentEncoding, sender);
        return Response.accepted().build();
    }
}
