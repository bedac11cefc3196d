package emp.host.api;

import emp.host.auth.Throttled;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Too many failed logins: 429 with {@code Retry-After}, as a problem. */
final class ThrottledMapper implements ExceptionMapper<Throttled> {
    @Override
    public Response toResponse(Throttled e) {
        return Response.fromResponse(Problems.of(429, "throttled", e.getMessage(), null))
                .header("Retry-After", e.retryAfterSeconds())
                .build();
    }
}
