package emp.tracing.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaTraceConfigTest {
    @Test
    void defaults() {
        KafkaTraceConfig config = bind(Map.of("bootstrap-servers", "127.0.0.1:9092"));

        assertThat(config)
                .isEqualTo(new KafkaTraceConfig("127.0.0.1:9092", "zipkin", "emp", "earliest", Duration.ofSeconds(15)));
    }

    @Test
    void everyKey() {
        KafkaTraceConfig config = bind(Map.of(
                "bootstrap-servers", "10.0.0.5:9092, kafka-2.internal:19092",
                "topic", "spans.v2",
                "group", "emp-east",
                "offset-reset", "LATEST",
                "unhealthy-after", "3s"));

        assertThat(config)
                .isEqualTo(new KafkaTraceConfig(
                        "10.0.0.5:9092,kafka-2.internal:19092",
                        "spans.v2",
                        "emp-east",
                        "latest",
                        Duration.ofSeconds(3)));
    }

    @Test
    void keysAreMatchedTheWayEnvironmentVariablesSpellThem() {
        KafkaTraceConfig config = bind(Map.of("BOOTSTRAP_SERVERS", "127.0.0.1:9092", "UNHEALTHY_AFTER", "1m"));

        assertThat(config.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(config.unhealthyAfter()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void missingBootstrapServersIsRefusedByName() {
        assertThatThrownBy(() -> bind(Map.of("topic", "zipkin"))).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
            assertThat(e.field()).contains("tracing.kafka.bootstrap-servers");
            assertThat(e.getMessage())
                    .contains("'tracing.kafka.bootstrap-servers' is missing")
                    .contains("EMP_TRACING_KAFKA_BOOTSTRAP_SERVERS");
        });
    }

    @Test
    void unknownKeyIsRefusedByName() {
        assertThatThrownBy(() -> bind(Map.of("bootstrap-servers", "127.0.0.1:9092", "grop", "emp")))
                .isInstanceOfSatisfying(
                        PlatformException.class,
                        e -> assertThat(e.getMessage())
                                .contains("'tracing.kafka.grop'")
                                .contains("group"));
    }

    @Test
    void badValuesAreRefusedByName() {
        assertInvalid(Map.of("bootstrap-servers", "127.0.0.1"), "tracing.kafka.bootstrap-servers");
        assertInvalid(Map.of("bootstrap-servers", "127.0.0.1:9092,"), "tracing.kafka.bootstrap-servers");
        assertInvalid(Map.of("bootstrap-servers", "127.0.0.1:9092", "topic", "no spaces"), "tracing.kafka.topic");
        assertInvalid(
                Map.of("bootstrap-servers", "127.0.0.1:9092", "offset-reset", "newest"), "tracing.kafka.offset-reset");
        assertInvalid(
                Map.of("bootstrap-servers", "127.0.0.1:9092", "unhealthy-after", "0s"),
                "tracing.kafka.unhealthy-after");
        assertInvalid(
                Map.of("bootstrap-servers", "127.0.0.1:9092", "unhealthy-after", "soon"),
                "tracing.kafka.unhealthy-after");
    }

    private static void assertInvalid(Map<String, String> values, String key) {
        assertThatThrownBy(() -> bind(values)).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
            assertThat(e.getMessage()).contains("'" + key + "'");
        });
    }

    private static KafkaTraceConfig bind(Map<String, String> values) {
        return KafkaTraceConfig.from(new PluginConfig(KafkaTraceConfig.SECTION, values));
    }
}
