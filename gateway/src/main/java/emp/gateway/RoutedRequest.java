package emp.gateway;

import static java.util.Objects.requireNonNull;

/**
 * One request the gateway routed to an app, as its own span in the request's trace: what was asked, how it ended and
 * how long it took. Ids are lower-case hex as Zipkin writes them: span ids 16 characters, trace ids 16 or 32.
 *
 * @param traceId        the trace the request belongs to: the incoming one, or a new 128-bit one
 * @param spanId         the gateway's span for this request, which the replica was told is its parent
 * @param parentSpanId   the caller's span named by the incoming trace headers, or null when the gateway started the
 *                       trace
 * @param user           the user in the URL, percent-decoded
 * @param app            the app in the URL, percent-decoded
 * @param method         the HTTP method as the client sent it, e.g. {@code GET}
 * @param path           the path asked of the replica, without the query, e.g. {@code /songs}
 * @param status         the status the client was sent, or 0 when it left before any answer
 * @param startMicros    when the gateway took the request on, in microseconds since the epoch
 * @param durationMicros from then until the answer's last part was handed to the client's connection; never negative
 * @param backendId      the replica that was asked last, or null when none was (no replica was ready)
 * @param error          why the request failed on the gateway's side, e.g. {@code no ready replica}, or null when the
 *                       replica's answer went through whole
 * @param sampled        whether the trace is to be recorded: false when the caller said not to ({@code b3: 0},
 *                       {@code X-B3-Sampled: 0}, a {@code traceparent} without the sampled flag); such a request is
 *                       told all the same, for whoever counts requests, but its span is not to be recorded
 */
public record RoutedRequest(
        String traceId,
        String spanId,
        String parentSpanId,
        String user,
        String app,
        String method,
        String path,
        int status,
        long startMicros,
        long durationMicros,
        String backendId,
        String error,
        boolean sampled) {
    public RoutedRequest {
        requireNonNull(traceId, "traceId is null");
        requireNonNull(spanId, "spanId is null");
        requireNonNull(user, "user is null");
        requireNonNull(app, "app is null");
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        if (durationMicros < 0) {
            throw new IllegalArgumentException("durationMicros " + durationMicros + " is negative");
        }
    }
}
