package emp.host.api;

import emp.host.apps.TextField;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;

/**
 * Judges a request's body before anything reads it, on every route, with or without a token: a body longer than its
 * route takes is refused with 413 as soon as its {@code Content-Length} says so, or, when it comes in chunks, as soon
 * as it grows past the limit while it is read, so that no body is held in memory whole before it is judged; a
 * {@code Content-Type} that does not parse, or names a charset this server cannot decode, is refused with 400 or 415
 * instead of failing deep in a reader.
 *
 * <p>The limits: {@link #SPANS} for Zipkin's span endpoint (a reporter's batch), {@link #CREDENTIALS} for sign-up and
 * login, {@link #PLUGIN} for a plugin jar, {@link #DEFAULT} for the rest (an app spec, a list of them, a scale).
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
final class RequestBodyLimits implements ContainerRequestFilter {
    /** The most bytes of a span batch: Zipkin's reporters send at most 5 MB by default. */
    static final long SPANS = 8L << 20;
    /** The most bytes of a username and password as JSON. */
    static final long CREDENTIALS = 16L << 10;
    /** The most bytes of a plugin jar an operator installs (a cluster manager with its libraries is ~15 MB). */
    static final long PLUGIN = 64L << 20;
    /** The most bytes of any other body. */
    static final long DEFAULT = 1L << 20;

    @Override
    public void filter(ContainerRequestContext request) {
        checkContentType(request);
        String path = "/" + stripSlashes(request.getUriInfo().getPath());
        long limit = limit(path);
        long length = request.getLength();
        if (length > limit) {
            throw tooLarge(path, limit, length + " bytes");
        }
        if (request.hasEntity()) {
            request.setEntityStream(new Bounded(request.getEntityStream(), path, limit));
        }
    }

    /** The most bytes {@code path} takes in a body. */
    static long limit(String path) {
        if (path.equals("/api/v2/spans")) {
            return SPANS;
        }
        if (path.equals("/v1/accounts") || path.equals("/v1/sessions")) {
            return CREDENTIALS;
        }
        if (path.equals("/v1/plugins")) {
            return PLUGIN;
        }
        return DEFAULT;
    }

    private static void checkContentType(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (header == null || header.isBlank()) {
            return;
        }
        MediaType type;
        try {
            type = MediaType.valueOf(header);
        } catch (IllegalArgumentException e) {
            throw new WebApplicationException(
                    "the Content-Type '" + TextField.shown(header) + "' is not a media type; send application/json",
                    400);
        }
        String charset = type.getParameters().get(MediaType.CHARSET_PARAMETER);
        if (charset != null && !supported(charset)) {
            throw new WebApplicationException(
                    "the charset '" + TextField.shown(charset)
                            + "' in Content-Type is not one this server decodes; send UTF-8 (charset=utf-8) or no charset",
                    415);
        }
    }

    private static boolean supported(String charset) {
        try {
            return Charset.isSupported(charset);
        } catch (IllegalCharsetNameException e) {
            return false;
        }
    }

    private static WebApplicationException tooLarge(String path, long limit, String size) {
        return new WebApplicationException(
                "the body is " + size + "; " + path + " takes at most " + limit + " bytes; send less", 413);
    }

    private static String stripSlashes(String path) {
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(start, end);
    }

    /** A body that fails its reader with 413 once more than its limit was read from it. */
    private static final class Bounded extends FilterInputStream {
        private final String path;
        private final long limit;
        private long read;

        Bounded(InputStream body, String path, long limit) {
            super(body);
            this.path = path;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int next = super.read();
            if (next >= 0) {
                count(1);
            }
            return next;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int count = super.read(buffer, offset, (int) Math.min(length, limit + 1 - read));
            if (count > 0) {
                count(count);
            }
            return count;
        }

        @Override
        public long skip(long count) throws IOException {
            // What is skipped is not held: the drain of a refused request's body skips freely.
            return super.skip(count);
        }

        private void count(int bytes) {
            read += bytes;
            if (read > limit) {
                throw tooLarge(path, limit, "over " + limit + " bytes");
            }
        }
    }
}
