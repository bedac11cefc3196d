package emp.host.api;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Jersey's own errors (no such route, wrong method, wrong content type) as problems, not HTML pages. */
final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
    @Override
    public Response toResponse(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String detail;
        if (e instanceof NotFoundException) {
            detail = "no such route; the API is described at /openapi.json";
        } else if (e instanceof NotAllowedException) {
            detail = "this route does not take that method; allowed: "
                    + e.getResponse().getAllowedMethods();
        } else if (e instanceof NotSupportedException) {
            detail = "unsupported content type; send application/json";
        } else {
            detail = e.getMessage() == null ? "request failed" : e.getMessage();
        }
        Response problem = Problems.of(status, "http-" + status, detail, null);
        Response.ResponseBuilder builder = Response.fromResponse(problem);
        if (e instanceof NotAllowedException) {
            builder.allow(e.getResponse().getAllowedMethods());
        }
        return builder.build();
    }
}
