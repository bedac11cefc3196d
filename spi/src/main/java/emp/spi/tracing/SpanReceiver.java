package emp.spi.tracing;

/** Takes one body of Zipkin's {@code POST /api/v2/spans}, as a Zipkin server would. Thread-safe. */
@FunctionalInterface
public interface SpanReceiver {
    /**
     * Decodes the body and hands its spans on; returns without waiting for them to be aggregated.
     *
     * @param body            the raw body
     * @param contentType     {@code application/json} (JSON v2) or {@code application/x-protobuf} (proto3); null means JSON
     * @param contentEncoding {@code gzip} or null
     * @return how many spans were accepted (spans past the collector's memory bound are dropped and counted, not
     *         refused)
     * @throws emp.spi.PlatformException of category INVALID, saying why, when the body cannot be decoded
     */
    int receive(byte[] body, String contentType, String contentEncoding);
}
