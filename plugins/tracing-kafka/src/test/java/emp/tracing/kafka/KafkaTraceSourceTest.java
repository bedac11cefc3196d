package emp.tracing.kafka;

import static emp.tracing.kafka.SampleSpans.BACK_TOKEN;
import static emp.tracing.kafka.SampleSpans.FRONT_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.plugins.zipkin.ZipkinSpans;
import emp.spi.AppRef;
import emp.spi.Health;
import emp.spi.PluginConfig;
import emp.spi.tracing.Span;
import emp.spi.tracing.TraceSource;
import emp.tck.tracing.AbstractTraceSourceTck;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
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

/**
 * The source against a real broker, fed by zipkin-reporter's KafkaSender, as the apps feed it: each app sends its own
 * spans with its credential in header {@value KafkaTraceSource#TOKEN_HEADER}. The trace source kit runs here too, on
 * the same broker: each of its tests reads a topic of its own, to which its batches are written as JSON v2 messages
 * with the kit's credentials in the header.
 */
class KafkaTraceSourceTest extends AbstractTraceSourceTck {
    private static final Logger log = LoggerFactory.getLogger(KafkaTraceSourceTest.class);
    private static final Duration EVENTUALLY = Duration.ofSeconds(60);

    private static final AtomicInteger KIT_TOPICS = new AtomicInteger();

    private static KafkaBroker broker;
    private static KafkaProducer<byte[], byte[]> producer;

    /** The topic of the kit's test that runs, and its source's group. */
    private String kitTopic;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.started();
        log.info("Kafka broker started in {} ms", broker.lastStartTime().toMillis());
        producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all"),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    @AfterAll
    static void closeBroker() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    protected TraceSource newSource() {
        kitTopic = "tck-" + KIT_TOPICS.incrementAndGet();
        broker.createTopic(kitTopic, 1);
        return source(Map.of("topic", kitTopic, "group", kitTopic));
    }

    @Override
    protected void deliver(AppRef sender, List<Span> spans) throws Exception {
        produce(kitTopic, credential(sender), ZipkinEncoding.json(spans));
    }

    @Override
    protected void deliverRaw(AppRef sender, byte[] payload) throws Exception {
        produce(kitTopic, credential(sender), payload);
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

            sendTrace("encodings", Encoding.JSON, SampleSpans.trace(traceId));
            await().atMost(EVENTUALLY).until(() -> sink.spans().size() == 3);
            sendTrace("encodings", Encoding.PROTO3, SampleSpans.trace(traceId));
            await().atMost(EVENTUALLY).until(() -> sink.spans().size() == 6);

            List<Span> spans = sink.spans();
            assertThat(spans.subList(0, 3)).as("from JSON").containsExactlyElementsOf(expected);
            assertThat(spans.subList(3, 6)).as("from proto3").containsExactlyElementsOf(expected);
            assertThat(sink.threads()).extracting(Thread::getName).containsOnly("emp-tracing-kafka");
            assertThat(source.receivedSpans()).isEqualTo(6);
            assertThat(source.skippedMessages()).isZero();
            assertThat(source.unauthenticatedMessages()).isZero();
            assertThat(source.forgedMessages()).isZero();
        }
    }

    @Test
    void aMessageThatIsNotSpansIsSkippedAndCountedAndTheNextOneArrives() throws Exception {
        broker.createTopic("garbage", 1);
        CollectingSink sink = new CollectingSink();
        String traceId = "5af7183fb1d4cf5f5af7183fb1d4cf5f";
        try (KafkaTraceSource source = source(Map.of("topic", "garbage", "group", "garbage"))) {
            source.start(sink);

            produce("garbage", FRONT_TOKEN, "this is not a span list".getBytes(StandardCharsets.UTF_8));
            produce("garbage", FRONT_TOKEN, "[{\"traceId\":\"5af7183f".getBytes(StandardCharsets.UTF_8));
            produce("garbage", FRONT_TOKEN, encode(SampleSpans.FRONT, SampleSpans.trace(traceId)));

            await().atMost(EVENTUALLY).until(() -> sink.ofTrace(traceId).size() == 2);
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
                sendTrace("zipkin", Encoding.PROTO3, SampleSpans.trace(traceId));
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
            sendTrace("restart", Encoding.JSON, SampleSpans.trace("2000000000000000a000000000000a01"));
            await().atMost(EVENTUALLY).until(() -> sink.spans().size() == 3);

            broker.stop();

            Health away = await().atMost(EVENTUALLY).until(source::check, health -> !health.healthy());
            assertThat(away.detail()).contains(broker.bootstrapServers()).contains("unreachable");

            broker.start();
            log.info("Kafka broker restarted in {} ms", broker.lastStartTime().toMillis());

            await().atMost(EVENTUALLY).until(() -> source.check().healthy());
            sendTrace("restart", Encoding.JSON, SampleSpans.trace("2000000000000000a000000000000a02"));
            await().atMost(EVENTUALLY)
                    .until(() ->
                            sink.ofTrace("2000000000000000a000000000000a02").size() == 3);
            // At least once: offsets are committed every few seconds, so a broker that stops right after the first
            // trace may hand it out again; nothing of it is lost.
            assertThat(Set.copyOf(sink.ofTrace("2000000000000000a000000000000a01")))
                    .hasSize(3);
        }
    }

    @Test
    void messagesWithoutAGoodCredentialOrWithAnotherAppsSpansAreDroppedAndCounted() throws Exception {
        broker.createTopic("credentials", 1);
        CollectingSink sink = new CollectingSink();
        List<zipkin2.Span> trace = SampleSpans.trace("6000000000000000a000000000000001");
        try (KafkaTraceSource source = source(Map.of("topic", "credentials", "group", "credentials"))) {
            source.start(sink);

            produce("credentials", null, encode(SampleSpans.FRONT, trace));
            produce("credentials", "not-a-credential", encode(SampleSpans.FRONT, trace));
            produce("credentials", "", encode(SampleSpans.FRONT, trace));
            // The front's credential with the back's spans: a forgery, dropped whole.
            produce("credentials", FRONT_TOKEN, SpanBytesEncoder.JSON_V2.encodeList(trace));
            produce("credentials", FRONT_TOKEN, encode(SampleSpans.BACK, trace));
            // Then the apps' own, which arrive.
            produce("credentials", FRONT_TOKEN, encode(SampleSpans.FRONT, trace));
            produce("credentials", BACK_TOKEN, encode(SampleSpans.BACK, trace));

            await().atMost(EVENTUALLY).until(() -> source.receivedMessages() == 7);
            assertThat(sink.spans())
                    .extracting(Span::localService)
                    .containsExactly("alice/front", "alice/front", "alice/back");
            assertThat(source.unauthenticatedMessages()).isEqualTo(3);
            assertThat(source.forgedMessages()).isEqualTo(2);
            assertThat(source.receivedSpans()).isEqualTo(3);
            assertThat(source.check().detail())
                    .contains("3 dropped without a good credential (header 'emp-span-token')")
                    .contains("2 dropped with another app's spans");
        }
    }

    @Test
    void aSpanWithoutALocalServiceIsTakenAsTheSendersAndACredentialIsCheckedOnce() throws Exception {
        broker.createTopic("anonymous", 1);
        CollectingSink sink = new CollectingSink();
        String traceId = "7000000000000000a000000000000001";
        zipkin2.Span anonymous = zipkin2.Span.newBuilder()
                .traceId(traceId)
                .id("b000000000000001")
                .name("get /")
                .kind(zipkin2.Span.Kind.SERVER)
                .timestamp(SampleSpans.NOW_MICROS)
                .duration(1_000)
                .build();
        try (KafkaTraceSource source = source(Map.of("topic", "anonymous", "group", "anonymous"))) {
            source.start(sink);

            for (int i = 0; i < 5; i++) {
                produce("anonymous", BACK_TOKEN, SpanBytesEncoder.JSON_V2.encodeList(List.of(anonymous)));
            }

            await().atMost(EVENTUALLY).until(() -> sink.ofTrace(traceId).size() == 5);
            assertThat(sink.ofTrace(traceId)).extracting(Span::localService).containsOnly(SampleSpans.BACK.toString());
            assertThat(sink.senderCalls()).as("verified once, then cached").isEqualTo(1);
        }
    }

    @Test
    void zipkinReportersKafkaSenderWithoutTheHeaderIsDropped() throws Exception {
        broker.createTopic("reporter", 1);
        CollectingSink sink = new CollectingSink();
        String traceId = "8000000000000000a000000000000001";
        try (KafkaTraceSource source = source(Map.of("topic", "reporter", "group", "reporter"))) {
            source.start(sink);

            send("reporter", Encoding.JSON, null, SampleSpans.of(SampleSpans.FRONT, SampleSpans.trace(traceId)));
            send("reporter", Encoding.JSON, FRONT_TOKEN, SampleSpans.of(SampleSpans.FRONT, SampleSpans.trace(traceId)));

            await().atMost(EVENTUALLY).until(() -> source.receivedMessages() == 2);
            assertThat(sink.ofTrace(traceId)).hasSize(2);
            assertThat(source.unauthenticatedMessages()).isEqualTo(1);
        }
    }

    private static KafkaTraceSource source(Map<String, String> values) {
        Map<String, String> config = new HashMap<>(values);
        config.put("bootstrap-servers", broker.bootstrapServers());
        return new KafkaTraceSource(
                KafkaTraceConfig.from(new PluginConfig(KafkaTraceConfig.SECTION, config)), Clock.systemUTC());
    }

    /** Sends a trace as its apps do: each app its own spans, in a message with its credential. */
    static void sendTrace(String topic, Encoding encoding, List<zipkin2.Span> trace) throws Exception {
        send(topic, encoding, FRONT_TOKEN, SampleSpans.of(SampleSpans.FRONT, trace));
        send(topic, encoding, BACK_TOKEN, SampleSpans.of(SampleSpans.BACK, trace));
    }

    /**
     * Sends as an app does, with zipkin-reporter's KafkaSender and {@link TokenHeaderInterceptor} adding the header
     * (none when {@code token} is null), waiting for the broker's acknowledgement.
     */
    static void send(String topic, Encoding encoding, String token, List<zipkin2.Span> spans) throws Exception {
        SpanBytesEncoder encoder = encoding == Encoding.PROTO3 ? SpanBytesEncoder.PROTO3 : SpanBytesEncoder.JSON_V2;
        Map<String, String> overrides = new HashMap<>(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        if (token != null) {
            overrides.put(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, TokenHeaderInterceptor.class.getName());
            overrides.put(TokenHeaderInterceptor.TOKEN, token);
        }
        try (KafkaSender sender = KafkaSender.newBuilder()
                .bootstrapServers(broker.bootstrapServers())
                .topic(topic)
                .encoding(encoding)
                .overrides(overrides)
                .build()) {
            sender.send(spans.stream().map(encoder::encode).toList());
        }
    }

    /** One message of {@code app}'s spans of {@code trace}, in JSON. */
    private static byte[] encode(AppRef app, List<zipkin2.Span> trace) {
        return SpanBytesEncoder.JSON_V2.encodeList(SampleSpans.of(app, trace));
    }

    /**
     * Writes one record, with header {@value KafkaTraceSource#TOKEN_HEADER} set to {@code token} unless null, and waits
     * for the broker's acknowledgement.
     */
    private static void produce(String topic, String token, byte[] message) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, message);
        if (token != null) {
            record.headers()
                    .add(new RecordHeader(KafkaTraceSource.TOKEN_HEADER, token.getBytes(StandardCharsets.UTF_8)));
        }
        producer.send(record).get(30, TimeUnit.SECONDS);
    }

    /** What both sides must agree on: each span's trace, id, parent, kind and service. */
    private static Set<String> identities(List<Span> spans) {
        return spans.stream()
                .map(span -> span.traceId() + "/" + span.id() + "/" + span.parentId() + "/" + span.kind() + "/"
                        + span.localService())
                .collect(Collectors.toSet());
    }
}
