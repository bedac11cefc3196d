package emp.spi.tracing;

import emp.spi.AppRef;

/**
 * Takes one body of Zipkin's {@code POST /api/v2/spans}, as a Zipkin server would, from one app: the host has checked
 * the body's span credential (see {@link TraceSource#replicaEnvironment}) and names the app it was issued to. Thread-safe.
 */
@FunctionalInterface
public interface SpanReceiver {
    /**
     * Decodes the body and hands its spans on; returns without waiting for them to be aggregated. Every span must be
     * the sender's own: a span whose local service names another app refuses the whole body (and is counted), so
     * that no app can steer another's figures; a span with no local service is taken as the sender's.
     *
     * @param body            the raw body
     * @param contentType     {@code application/json} (JSON v2) or {@code application/x-protobuf} (proto3); null means JSON
     * @param contentEncoding {@code gzip} or null
     * @param sender          the app whose credential came with the body
     * @return how many spans were accepted (spans past the collector's memory bound are dropped and counted, not
     *         refused)
     * @throws emp.spi.PlatformException of category INVALID, saying why, when the body cannot be decoded; of category
     *                                   FORBIDDEN when a span is another app's
     */
    int receive(byte[] body, String contentType, String contentEncoding, AppRef sender);
}
