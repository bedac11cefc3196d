package emp.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class KafkaBrokerTest {
    private static final Logger log = LoggerFactory.getLogger(KafkaBrokerTest.class);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.started();
        log.info(
                "first start (format + start) took {} ms",
                broker.lastStartTime().toMillis());
    }

    @AfterAll
    static void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aProducedRecordIsConsumed() throws Exception {
        broker.createTopic("first", 1);

        send("first", "hello");

        assertThat(readAll("first")).containsExactly("hello");
    }

    @Test
    void stoppedBrokerRefusesClientsAndStartsAgainOnTheSamePortWithItsData() throws Exception {
        String servers = broker.bootstrapServers();
        broker.createTopic("kept", 1);
        send("kept", "before");

        broker.stop();

        assertThat(broker.isRunning()).isFalse();
        assertThat(accepts(broker.port())).isFalse();

        broker.start();
        log.info("restart took {} ms", broker.lastStartTime().toMillis());

        assertThat(broker.bootstrapServers()).isEqualTo(servers);
        send("kept", "after");
        assertThat(readAll("kept")).containsExactly("before", "after");
    }

    @Test
    void brokerThatCannotStartFailsNamingItsLog() {
        try (KafkaBroker broken =
                KafkaBroker.builder().property("process.roles", "nonsense").build()) {
            assertThatThrownBy(broken::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(broken.logFile().toString())
                    .hasMessageContaining("nonsense");
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void send(String topic, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, value)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Every value of the topic's one partition, from the beginning, once the expected count is there. */
    private static List<String> readAll(String topic) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        "false"),
                new StringDeserializer(),
                new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(record.value().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
                }
                return values.size() >= end;
            });
        }
        return values;
    }
}
