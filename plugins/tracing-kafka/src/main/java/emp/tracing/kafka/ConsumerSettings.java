package emp.tracing.kafka;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/** The Kafka consumer's settings for reading spans. */
final class ConsumerSettings {
    private ConsumerSettings() {}

    static Properties of(KafkaTraceConfig config) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.offsetReset());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true");
        // Spans come in many small messages: fetch in large batches (8 MiB a partition, 2,000 records a poll, a fetch
        // waiting up to 50 ms for 64 KiB) so that a poll costs little per span, with a socket buffer to match.
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024));
        properties.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.toString(64 * 1024));
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        properties.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, Integer.toString(1024 * 1024));
        return properties;
    }
}
