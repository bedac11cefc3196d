package emp.examples.songs;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Puts the app's span credential ({@code EMP_SPAN_TOKEN}) in header {@value #HEADER} of every record the span sender
 * writes, which is how EMP's Kafka trace source knows whose spans a message holds; a message without it is dropped.
 * zipkin-reporter's {@code KafkaSender} offers no way to add headers, but it passes its overrides to the producer, so
 * this class is named in {@code interceptor.classes} and the credential given as {@value #TOKEN_CONFIG}. Kafka makes
 * one per producer, and calls it from the sending threads; it is immutable once configured.
 */
public final class SpanTokenInterceptor implements ProducerInterceptor<byte[], byte[]> {
    /** The record header EMP reads the credential from. */
    public static final String HEADER = "emp-span-token";

    /** The producer configuration entry that carries the credential to the interceptor. */
    public static final String TOKEN_CONFIG = "emp.span.token";

    private volatile byte[] token;

    /** @throws IllegalArgumentException when the producer's configuration has no {@value #TOKEN_CONFIG} */
    @Override
    public void configure(Map<String, ?> configs) {
        Object value = configs.get(TOKEN_CONFIG);
        if (value == null || value.toString().isBlank()) {
            throw new IllegalArgumentException("the Kafka producer's configuration has no '" + TOKEN_CONFIG
                    + "'; give EMP_SPAN_TOKEN in it, as SpanReporting does");
        }
        token = value.toString().trim().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        record.headers().remove(HEADER).add(HEADER, token);
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void close() {}
}
