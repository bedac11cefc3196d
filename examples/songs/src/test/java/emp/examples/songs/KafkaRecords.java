package emp.examples.songs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads what the services sent to topic {@code zipkin}, headers and all, as EMP's trace source would. */
final class KafkaRecords {
    private KafkaRecords() {}

    /**
     * The records of topic {@code zipkin} from its start, once they hold at least {@code spans} spans.
     *
     * @throws AssertionError when they do not within a minute
     */
    static List<ConsumerRecord<byte[], byte[]>> read(String bootstrapServers, int spans) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        int seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                        ConsumerConfig.GROUP_ID_CONFIG, "songs-test",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(SpanReporting.KAFKA_TOPIC));
            long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (seen < spans) {
                if (System.nanoTime() > until) {
                    throw new AssertionError("topic 'zipkin' held " + seen + " spans after a minute, not " + spans);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    records.add(record);
                    seen += spanCount(record);
                }
            }
        }
        return records;
    }

    /** How many spans the record's JSON list holds. */
    static int spanCount(ConsumerRecord<byte[], byte[]> record) {
        try {
            return Json.MAPPER.readTree(record.value()).size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
