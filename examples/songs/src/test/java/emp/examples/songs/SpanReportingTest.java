package emp.examples.songs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import brave.handler.SpanHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import emp.testsupport.KafkaBroker;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Spans leave the service as Zipkin's JSON v2, over real HTTP to whatever collector ZIPKIN_ENDPOINT names (its query,
 * the credential, kept), or over a real Kafka broker with the credential in each record's header.
 */
class SpanReportingTest {
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private HttpServer collector;

    @BeforeEach
    void startCollector() throws Exception {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        collector.createContext("/", exchange -> {
            try (exchange) {
                paths.add(exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getPath() + "?"
                        + exchange.getRequestURI().getRawQuery());
                InputStream body = exchange.getRequestBody();
                if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    body = new GZIPInputStream(body);
                }
                Json.MAPPER.readTree(body).forEach(received::add);
                exchange.sendResponseHeaders(202, -1);
            }
        });
        collector.start();
    }

    @AfterEach
    void stopCollector() {
        collector.stop(0);
    }

    @Test
    void spansReachTheZipkinEndpointByTheTimeReportingIsClosed() throws Exception {
        String endpoint =
                "http://127.0.0.1:" + collector.getAddress().getPort() + "/api/v2/spans?emp_token=YWxpY2U.c2lnbg";
        SpanReporting reporting = SpanReporting.fromEnvironment(Map.of("ZIPKIN_ENDPOINT", endpoint));
        assertThat(reporting.description()).isEqualTo("to " + endpoint);
        SongsService users;
        try (SpanReporting closing = reporting) {
            users = SongsService.start(
                    new ServiceConfig(ServiceKind.USERS, "127.0.0.1", 0, "alice/users", Map.of(), Knobs.NONE),
                    closing.handler());
            Http.get(users.url() + "/3", "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            users.close();
        }

        assertThat(paths).isNotEmpty().allMatch(path -> path.equals("POST /api/v2/spans?emp_token=YWxpY2U.c2lnbg"));
        assertThat(received).singleElement().satisfies(span -> {
            assertThat(span.path("traceId").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
            assertThat(span.path("parentId").asText()).isEqualTo("b7ad6b7169203331");
            assertThat(span.path("kind").asText()).isEqualTo("SERVER");
            assertThat(span.path("localEndpoint").path("serviceName").asText()).isEqualTo("alice/users");
            assertThat(span.path("tags").path("http.path").asText()).isEqualTo("/3");
        });
    }

    @Test
    void overKafkaEveryRecordCarriesTheSpanCredentialInItsHeader() throws Exception {
        try (KafkaBroker broker = KafkaBroker.started()) {
            broker.createTopic(SpanReporting.KAFKA_TOPIC, 1);
            SpanReporting reporting = SpanReporting.fromEnvironment(
                    Map.of("KAFKA_ADDRESS", broker.bootstrapServers(), "EMP_SPAN_TOKEN", "YWxpY2UvdXNlcnM.c2lnbg"));
            assertThat(reporting.description())
                    .isEqualTo("to Kafka topic 'zipkin' at " + broker.bootstrapServers()
                            + " with header 'emp-span-token'");
            try (SpanReporting closing = reporting) {
                SongsService users = SongsService.start(
                        new ServiceConfig(ServiceKind.USERS, "127.0.0.1", 0, "alice/users", Map.of(), Knobs.NONE),
                        closing.handler());
                Http.get(users.url() + "/3");
                Http.get(users.url() + "/4");
                users.close();
            }

            List<ConsumerRecord<byte[], byte[]>> records = KafkaRecords.read(broker.bootstrapServers(), 2);
            assertThat(records).isNotEmpty().allSatisfy(record -> {
                assertThat(record.headers().headers(SpanTokenInterceptor.HEADER))
                        .singleElement()
                        .satisfies(header -> assertThat(new String(header.value(), StandardCharsets.UTF_8))
                                .isEqualTo("YWxpY2UvdXNlcnM.c2lnbg"));
            });
            assertThat(records.stream().mapToInt(KafkaRecords::spanCount).sum()).isEqualTo(2);
        }
    }

    @Test
    void overKafkaWithoutACredentialTheDescriptionSaysEmpDropsTheSpans() {
        try (SpanReporting reporting = SpanReporting.fromEnvironment(Map.of("KAFKA_ADDRESS", "127.0.0.1:9092"))) {
            assertThat(reporting.description())
                    .isEqualTo("to Kafka topic 'zipkin' at 127.0.0.1:9092 without a span credential (EMP_SPAN_TOKEN"
                            + " is not set; EMP drops such spans)");
        }
    }

    @Test
    void theInterceptorWithoutATokenNamesTheEntry() {
        assertThatThrownBy(() -> new SpanTokenInterceptor().configure(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'emp.span.token'");
    }

    @Test
    void withNeitherVariableSpansGoNowhereAndTheLogSaysSo() {
        SpanReporting reporting = SpanReporting.fromEnvironment(Map.of("ZIPKIN_ENDPOINT", " "));

        assertThat(reporting.handler()).isSameAs(SpanHandler.NOOP);
        assertThat(reporting.description()).isEqualTo("not reported: neither KAFKA_ADDRESS nor ZIPKIN_ENDPOINT is set");
        reporting.close();
    }

    @Test
    void kafkaIsPreferredWhenBothAreSet() {
        try (SpanReporting reporting = SpanReporting.fromEnvironment(Map.of(
                "KAFKA_ADDRESS",
                "127.0.0.1:9092",
                "EMP_SPAN_TOKEN",
                "token",
                "ZIPKIN_ENDPOINT",
                "http://127.0.0.1:9411/api/v2/spans"))) {
            assertThat(reporting.description())
                    .isEqualTo("to Kafka topic 'zipkin' at 127.0.0.1:9092 with header 'emp-span-token'");
            assertThat(reporting.handler()).isNotSameAs(SpanHandler.NOOP);
        }
    }

    @Test
    void aZipkinEndpointThatIsNotAUrlIsNamed() {
        assertThatThrownBy(() -> SpanReporting.fromEnvironment(Map.of("ZIPKIN_ENDPOINT", "localhost:9411")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ZIPKIN_ENDPOINT is 'localhost:9411'; expected the URL of a Zipkin collector, such as"
                        + " http://127.0.0.1:9411/api/v2/spans");
    }
}
