package emp.host.api;

import emp.host.JsonCodec;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import jakarta.ws.rs.core.Response;
import java.util.Locale;

/** Builds problem responses; the one place that maps error categories to HTTP statuses. */
final class Problems {
    private Problems() {}

    static int status(ErrorCategory category) {
        return switch (category) {
            case INVALID -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case UNSUPPORTED -> 422;
            case UNAVAILABLE -> 503;
            case INTERNAL -> 500;
        };
    }

    static Response of(PlatformException e) {
        Response response = of(
                status(e.category()),
                e.category().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                e.getMessage(),
                e.field().orElse(null));
        if (e.category() == ErrorCategory.UNAUTHENTICATED) {
            return Response.fromResponse(response)
                    .header("WWW-Authenticate", "Bearer realm=\"emp\"")
                    .build();
        }
        return response;
    }

    static Response of(int status, String kind, String detail, String field) {
        Response.StatusType statusType = Response.Status.fromStatusCode(status);
        String title = statusType == null ? "Error" : statusType.getReasonPhrase();
        Problem problem = new Problem("https://emp.dev/problems/" + kind, title, status, detail, field);
        return Response.status(status)
                .type(Problem.MEDIA_TYPE)
                .entity(JsonCodec.write(problem))
                .build();
    }
}
