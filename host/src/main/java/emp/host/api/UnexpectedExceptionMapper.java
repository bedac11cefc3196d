package emp.host.api;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A bug: logged with its stack, answered as a 500 problem that says where to look. */
final class UnexpectedExceptionMapper implements ExceptionMapper<RuntimeException> {
    private static final Logger log = LoggerFactory.getLogger(UnexpectedExceptionMapper.class);

    @Override
    public Response toResponse(RuntimeException e) {
        log.error("unexpected error while serving a request", e);
        return Problems.of(
                500,
                "internal",
                "EMP failed unexpectedly (" + e.getClass().getSimpleName() + "); the server log has the details",
                null);
    }
}
