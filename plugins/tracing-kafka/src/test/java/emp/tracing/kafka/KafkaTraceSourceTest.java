package emp.tracing.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.plugins.zipkin.ZipkinSpans;
import emp.spi.Health;
import emp.spi.PluginConfig;
import emp.spi.tracing.Span;
import emp.testsupport.KafkaBroker;
import emp.testsupport.ZipkinServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zipkin2.codec.SpanBytesDecoder;
import zipkin2.codec.SpanBytesEncoder;
import zipkin2.reporter.Encoding;
import zipkin2.reporter.kafka.KafkaSender;

/** The source against a real broker, fed by zipkin-reporter's KafkaSender, as the apps feed it. */
class KafkaTraceSourceTest {
    private static final Logger log = LoggerFactory.getLogger(KafkaTraceSourceTest.class);
    private static final Duration EVENTUALLY = Duration.ofSeconds(60);

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.started();
        log.info("Kafka broker started in {} ms", broker.lastStartTime().toMillis());
    }

    @AfterAll
    static void closeBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void jsonAndProto3MessagesArriveWithEqualContentOnTheConsumerThread() throws Exception {
        broker.createTopic("encodings", 1);
        CollectingSink sink = new CollectingSink();
        String traceId = "463ac35c9f6413ad48485a3953bb6124";
        List<Span> expected =
                SampleSpans.trace(traceId).stream().map(ZipkinSpans::toEmp).toList();
        try (KafkaTraceSource source = source(Map.of("topic", "encodings", "group", "encodings"))) {
            source.start(sink);

            send("encodings", Encoding.JSON, SampleSpans.trace(traceId));
            await().atMost(EVENTUALLY).until(() -> sink.spans().size() == 3);
            send("encodings", Encoding.PROTO3, SampleSpans.trace(traceId));
            await().atMost(EVENTUALLY).until(() -> sink.spans().size() == 6);

            List<Span> spans = sink.spans();
            assertThat(spans.subList(0, 3)).as("from JSON").containsExactlyElementsOf(expected);
            assertThat(spans.subList(3, 6)).as("from proto3").containsExactlyElementsOf(expected);
            assertThat(sink.threads()).extracting(Thread::getName).containsOnly("emp-tracing-kafka");
            assertThat(source.receivedSpans()).isEqualTo(6);
            assertThat(source.skippedMessages()).isZero();
        }
    }

    @Test
    void aMessageThatIsNotSpansIsSkippedAndCountedAndTheNextOneArrives() throws Exception {
        broker.createTopic("garbage", 1);
        CollectingSink sink = new CollectingSink();
        String traceId = "5af7183fb1d4cf5f5af7183fb1d4cf5f";
        try (KafkaTraceSource source = source(Map.of("topic", "garbage", "group", "garbage"))) {
            source.start(sink);

            produce("garbage", "this is not a span list".getBytes(StandardCharsets.UTF_8));
            produce("garbage", "[{\"traceId\":\"5af7183f".getBytes(StandardCharsets.UTF_8));
            produce("garbage", SpanBytesEncoder.JSON_V2.encodeList(SampleSpans.trace(traceId)));

            await().atMost(EVENTUALLY).until(() -> sink.ofTrace(traceId).size() == 3);
            assertThat(source.skippedMessages()).isEqualTo(2);
            assertThat(source.receivedMessages()).isEqualTo(3);
            assertThat(source.check().detail()).contains("2 messages skipped");
        }
    }

    @Test
    void aZipkinServerReadingTheSameTopicSeesTheSameTraces() throws Exception {
        broker.createTopic("zipkin", 1);
        List<String> traceIds = List.of("1000000000000000a000000000000001", "1000000000000000a000000000000002");
        CollectingSink sink = new CollectingSink();
        try (ZipkinServer zipkin =
                        ZipkinServer.builder().kafka(broker.bootstrapServers()).build();
                KafkaTraceSource source = source(Map.of())) {
            zipkin.start();
            log.info("Zipkin server started in {} ms", zipkin.lastStartTime().toMillis());
            source.start(sink);

            for (String traceId : traceIds) {
                send("zipkin", Encoding.PROTO3, SampleSpans.trace(traceId));
            }

            HttpClient http = HttpClient.newHttpClient();
            for (String traceId : traceIds) {
                await().atMost(EVENTUALLY).until(() -> sink.ofTrace(traceId).size() == 3);
                HttpRequest get = HttpRequest.newBuilder(zipkin.baseUrl().resolve("/api/v2/trace/" + traceId))
                        .build();
                HttpResponse<byte[]> trace = await().atMost(EVENTUALLY)
                        .pollInterval(Duration.ofMillis(200))
                        .until(
                                () -> http.send(get, HttpResponse.BodyHandlers.ofByteArray()),
                                response -> response.statusCode() == 200);
                List<Span> seenByZipkin = SpanBytesDecoder.JSON_V2.decodeList(trace.body()).stream()
                        .map(ZipkinSpans::toEmp)
                        .toList();
                assertThat(identities(seenByZipkin)).isEqualTo(identities(sink.ofTrace(traceId)));
            }
        }
    }

    @Test
    void aBrokerThatStopsAndComesBackIsReadAgainWithoutARestart() throws Exception {
        broker.createTopic("restart", 1);
        CollectingSink sink = new CollectingSink();
        try (KafkaTraceSource source =
                source(Map.of("topic", "restart", "group", "restart", "unhealthy-after", "2s"))) {
            source.start(sink);
            await().atMost(EVENTUALLY).until(() -> source.check().healthy());
            send("restart", Encoding.JSON, SampleSpans.trace("2000000000000000a000000000000a01"));
            await().atMost(EVENTUALLY).until(() -> sink.spans().size() == 3);

            broker.stop();

            Health away = await().atMost(EVENTUALLY).until(source::check, health -> !health.healthy());
            assertThat(away.detail()).contains(broker.bootstrapServers()).contains("unreachable");

            broker.start();
            log.info("Kafka broker restarted in {} ms", broker.lastStartTime().toMillis());

            await().atMost(EVENTUALLY).until(() -> source.check().healthy());
            send("restart", Encoding.JSON, SampleSpans.trace("2000000000000000a000000000000a02"));
            await().atMost(EVENTUALLY)
                    .until(() ->
                            sink.ofTrace("2000000000000000a000000000000a02").size() == 3);
            // At least once: offsets are committed every few seconds, so a broker that stops right after the first
            // trace may hand it out again; nothing of it is lost.
            assertThat(Set.copyOf(sink.ofTrace("2000000000000000a000000000000a01")))
                    .hasSize(3);
        }
    }

    private static KafkaTraceSource source(Map<String, String> values) {
        Map<String, String> config = new HashMap<>(values);
        config.put("bootstrap-servers", broker.bootstrapServers());
        return new KafkaTraceSource(
                KafkaTraceConfig.from(new PluginConfig(KafkaTraceConfig.SECTION, config)), Clock.systemUTC());
    }

    /** Sends as an app does, with zipkin-reporter's KafkaSender, waiting for the broker's acknowledgement. */
    static void send(String topic, Encoding encoding, List<zipkin2.Span> spans) throws Exception {
        SpanBytesEncoder encoder = encoding == Encoding.PROTO3 ? SpanBytesEncoder.PROTO3 : SpanBytesEncoder.JSON_V2;
        try (KafkaSender sender = KafkaSender.newBuilder()
                .bootstrapServers(broker.bootstrapServers())
                .topic(topic)
                .encoding(encoding)
                .overrides(Map.of(ProducerConfig.ACKS_CONFIG, "all"))
                .build()) {
            sender.send(spans.stream().map(encoder::encode).toList());
        }
    }

    private static void produce(String topic, byte[] message) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, message)).get(30, TimeUnit.SECONDS);
        }
    }

    /** What both sides must agree on: each span's trace, id, parent, kind and service. */
    private static Set<String> identities(List<Span> spans) {
        return spans.stream()
                .map(span -> span.traceId() + "/" + span.id() + "/" + span.parentId() + "/" + span.kind() + "/"
                        + span.localService())
                .collect(Collectors.toSet());
    }
}
