package emp.examples.songs;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A service's answer to one request.
 *
 * @param status the HTTP status
 * @param body   what to answer as JSON: a record, a map, a list or a Jackson tree
 */
record Reply(int status, Object body) {
    Reply {
        requireNonNull(body, "body is null");
    }

    static Reply ok(Object body) {
        return new Reply(200, body);
    }

    /** An error answer, {@code {"error": message}}; the message says what was wrong and what to do. */
    static Reply error(int status, String message) {
        return new Reply(status, Map.of("error", message));
    }

    /** The answer for a path the service does not serve. */
    static Reply notFound(ServiceKind kind, Call call, String served) {
        return error(404, "service '" + kind.id() + "' has no '" + call.path() + "'; it serves " + served);
    }
}
