package emp.tracing.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpTraceConfigTest {
    private static HttpTraceConfig bind(Map<String, String> values) {
        return HttpTraceConfig.from(new PluginConfig(HttpTraceConfig.SECTION, values));
    }

    private static void assertRejected(Map<String, String> values, String key, String... messageParts) {
        assertThatThrownBy(() -> bind(values)).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
            assertThat(e.field()).contains("tracing.http." + key);
            assertThat(e.getMessage()).contains("'tracing.http." + key + "'").contains(messageParts);
        });
    }

    @Test
    void defaultsAreAHundredThousandSpansAndNoForwarding() {
        HttpTraceConfig config = bind(Map.of());

        assertThat(config).isEqualTo(HttpTraceConfig.defaults());
        assertThat(config.queueSpans()).isEqualTo(100_000);
        assertThat(config.forwardUrl()).isEmpty();
        assertThat(config.forwardQueueBytes()).isEqualTo(32 * 1024 * 1024);
        assertThat(config.forwardTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void everyKeyIsBound() {
        HttpTraceConfig config = bind(Map.of(
                "queue-spans", "5000",
                "forward-url", "http://127.0.0.1:9411/api/v2/spans",
                "forward-queue-bytes", "1048576",
                "forward-timeout", "2s"));

        assertThat(config)
                .isEqualTo(new HttpTraceConfig(
                        5000,
                        Optional.of(URI.create("http://127.0.0.1:9411/api/v2/spans")),
                        1_048_576,
                        Duration.ofSeconds(2)));
    }

    @Test
    void keysAreMatchedAsEnvironmentVariablesSpellThem() {
        assertThat(bind(Map.of("QUEUE_SPANS", "7", "FORWARD_URL", "https://zipkin.example:443/api/v2/spans")))
                .satisfies(config -> {
                    assertThat(config.queueSpans()).isEqualTo(7);
                    assertThat(config.forwardUrl()).contains(URI.create("https://zipkin.example:443/api/v2/spans"));
                });
    }

    @Test
    void blankForwardUrlMeansNoForwarding() {
        assertThat(bind(Map.of("forward-url", " ")).forwardUrl()).isEmpty();
    }

    @Test
    void unknownKeyIsRejectedByName() {
        assertThatThrownBy(() -> bind(Map.of("queue-size", "10")))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.getMessage())
                            .contains("'tracing.http.queue-size'", "queue-spans", "forward-url", "forward-timeout");
                });
    }

    @Test
    void queueSpansMustBeAPositiveInteger() {
        assertRejected(Map.of("queue-spans", "0"), "queue-spans", "an integer from 1 to 10000000");
        assertRejected(Map.of("queue-spans", "lots"), "queue-spans", "'lots'");
    }

    @Test
    void forwardUrlMustBeAnHttpUrl() {
        assertRejected(Map.of("forward-url", "127.0.0.1:9411"), "forward-url", "http://", "https://");
        assertRejected(Map.of("forward-url", "kafka://broker:9092"), "forward-url", "'kafka://broker:9092'");
        assertRejected(Map.of("forward-url", "http://bad host/"), "forward-url", "'http://bad host/'");
    }

    @Test
    void forwardQueueBytesHasAFloor() {
        assertRejected(Map.of("forward-queue-bytes", "1000"), "forward-queue-bytes", "an integer from 65536");
    }

    @Test
    void forwardTimeoutMustBeAPositiveDuration() {
        assertRejected(Map.of("forward-timeout", "0s"), "forward-timeout", "a positive duration");
        assertRejected(Map.of("forward-timeout", "soon"), "forward-timeout", "500ms, 10s");
    }
}
