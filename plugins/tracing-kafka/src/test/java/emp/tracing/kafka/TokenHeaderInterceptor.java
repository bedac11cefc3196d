package emp.tracing.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Adds header {@value KafkaTraceSource#TOKEN_HEADER} to every record, as an app using zipkin-reporter's KafkaSender
 * does: named in {@code interceptor.classes} of the sender's overrides, with the credential in {@value #TOKEN}.
 */
public final class TokenHeaderInterceptor implements ProducerInterceptor<byte[], byte[]> {
    static final String TOKEN = "emp.span.token";

    private byte[] token;

    @Override
    public void configure(Map<String, ?> configs) {
        Object value = configs.get(TOKEN);
        if (value == null) {
            throw new IllegalArgumentException("the producer's configuration has no '" + TOKEN + "'");
        }
        token = value.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        record.headers().add(KafkaTraceSource.TOKEN_HEADER, token);
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

    @Override
    public void close() {}
}
