package emp.host.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads what is left of a request body that no resource read, because the request was refused first (no token, a
 * method the route does not take). Otherwise the server answers and closes while the client is still sending, and the
 * client's TCP stack may throw the answer away: the client sees a dropped connection instead of its 401 or 405.
 */
final class RequestBodyDrainFilter implements ContainerResponseFilter {
    /** Beyond this, the connection is closed rather than read on. */
    private static final long MAX_DRAINED_BYTES = 1 << 20;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() < 400) {
            return;
        }
        try {
            InputStream body = request.getEntityStream();
            if (body != null) {
                long skipped = 0;
                byte[] buffer = new byte[8192];
                int read;
                while (skipped < MAX_DRAINED_BYTES && (read = body.read(buffer)) > 0) {
                    skipped += read;
                }
                if (skipped >= MAX_DRAINED_BYTES) {
                    response.getHeaders().putSingle("Connection", "close");
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unreadable, or longer than its route takes (RequestBodyLimits): not worth reading on.
            response.getHeaders().putSingle("Connection", "close");
        }
    }
}
