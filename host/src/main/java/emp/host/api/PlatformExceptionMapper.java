package emp.host.api;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answers a {@link PlatformException} with its category's status and its message as the problem's detail. */
final class PlatformExceptionMapper implements ExceptionMapper<PlatformException> {
    private static final Logger log = LoggerFactory.getLogger(PlatformExceptionMapper.class);

    @Override
    public Response toResponse(PlatformException e) {
        if (e.category() == ErrorCategory.INTERNAL) {
            log.error("internal error", e);
        } else if (e.category() == ErrorCategory.UNAVAILABLE) {
            log.warn("backend unavailable: {}", e.getMessage());
        }
        return Problems.of(e);
    }
}
