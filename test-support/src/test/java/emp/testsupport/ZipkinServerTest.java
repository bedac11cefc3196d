package emp.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ZipkinServerTest {
    private static final Logger log = LoggerFactory.getLogger(ZipkinServerTest.class);
    private static final HttpClient http = HttpClient.newHttpClient();

    private static KafkaBroker broker;
    private static ZipkinServer zipkin;

    @BeforeAll
    static void startServers() {
        broker = KafkaBroker.started();
        broker.createTopic("zipkin", 1);
        zipkin = ZipkinServer.builder().kafka(broker.bootstrapServers()).build();
        zipkin.start();
        log.info(
                "broker start took {} ms, Zipkin start took {} ms",
                broker.lastStartTime().toMillis(),
                zipkin.lastStartTime().toMillis());
    }

    @AfterAll
    static void closeServers() {
        if (zipkin != null) {
            zipkin.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void acceptsAJsonSpanOverHttpAndReturnsItsTrace() throws Exception {
        String traceId = "463ac35c9f6413ad48485a3953bb6124";
        HttpResponse<String> posted = http.send(
                HttpRequest.newBuilder(zipkin.baseUrl().resolve("/api/v2/spans"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(spanList(traceId, "a2fb4a1d1a96d312", "alice/http")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(posted.statusCode()).isEqualTo(202);
        assertThat(awaitTrace(traceId)).contains("a2fb4a1d1a96d312").contains("alice/http");
    }

    @Test
    void readsASpanProducedToTheZipkinTopic() throws Exception {
        String traceId = "5af7183fb1d4cf5f5af7183fb1d4cf5f";
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            "zipkin",
                            spanList(traceId, "6b221d5bc9e6496c", "alice/kafka").getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }

        assertThat(awaitTrace(traceId)).contains("6b221d5bc9e6496c").contains("alice/kafka");
    }

    private static String spanList(String traceId, String spanId, String service) {
        long now = System.currentTimeMillis() * 1000;
        return "[{\"traceId\":\"" + traceId + "\",\"id\":\"" + spanId + "\",\"kind\":\"SERVER\",\"name\":\"get /\","
                + "\"timestamp\":" + now + ",\"duration\":1500,\"localEndpoint\":{\"serviceName\":\"" + service
                + "\"}}]";
    }

    private static String awaitTrace(String traceId) {
        HttpRequest get = HttpRequest.newBuilder(zipkin.baseUrl().resolve("/api/v2/trace/" + traceId))
                .build();
        return await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> http.send(get, HttpResponse.BodyHandlers.ofString()),
                        response -> response.statusCode() == 200)
                .body();
    }
}
