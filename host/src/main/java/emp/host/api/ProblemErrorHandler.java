package emp.host.api;

import emp.host.JsonCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers before a request reaches Jersey (an ambiguous path, a header too large) as problem documents
 * too, so every error of the API has the same shape.
 */
final class ProblemErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        String detail = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        Problem problem = new Problem(
                "https://emp.dev/problems/http-" + code,
                HttpStatus.getMessage(code),
                code,
                "the request was refused before it reached EMP: " + detail,
                null);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        // Jetty drops the connection after refusing a request this early; say so, or a client reuses it and fails.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(JsonCodec.write(problem).getBytes(StandardCharsets.UTF_8)), callback);
    }
}
