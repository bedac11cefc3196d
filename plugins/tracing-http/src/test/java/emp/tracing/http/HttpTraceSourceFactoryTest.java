package emp.tracing.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.tracing.TraceSource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpTraceSourceFactoryTest {
    private static PluginContext context(Map<String, String> values) {
        return new PluginContext(
                "tracing-http",
                new PluginConfig("tracing.http", values),
                Path.of("/var/emp/data/tracing-http"),
                URI.create("http://10.0.0.5:7070"),
                Clock.systemUTC());
    }

    @Test
    void isChosenAsHttp() {
        assertThat(new HttpTraceSourceFactory().name()).isEqualTo("http");
        assertThat(new HttpTraceSourceFactory().description()).contains("/api/v2/spans");
    }

    @Test
    void makesACollectorOnTheApiPort() {
        try (TraceSource source = new HttpTraceSourceFactory().create(context(Map.of("queue-spans", "10")))) {
            assertThat(source.replicaEnvironment(new AppRef("ana", "web"), "credential"))
                    .isEqualTo(Map.of("ZIPKIN_ENDPOINT", "http://10.0.0.5:7070/api/v2/spans?emp_token=credential"));
            assertThat(source.httpReceiver()).isPresent();
            assertThat(source.check().detail()).contains("bound 10", "not started");
        }
    }

    @Test
    void typoInTheSectionFailsTheCreation() {
        assertThatThrownBy(() -> new HttpTraceSourceFactory().create(context(Map.of("forward-uri", "x"))))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.getMessage()).contains("'tracing.http.forward-uri'");
                });
    }
}
