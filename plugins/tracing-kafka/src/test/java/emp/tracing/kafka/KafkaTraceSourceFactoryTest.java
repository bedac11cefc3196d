package emp.tracing.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.AppRef;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.tracing.TraceSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaTraceSourceFactoryTest {
    @TempDir
    Path dataDir;

    @Test
    void isChosenByTheNameKafka() {
        assertThat(new KafkaTraceSourceFactory().name()).isEqualTo("kafka");
    }

    @Test
    void creationWithoutBootstrapServersFailsNamingTheKey() {
        assertThatThrownBy(() -> create(Map.of()))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("'tracing.kafka.bootstrap-servers' is missing");
    }

    @Test
    void replicasAreToldTheBootstrapServersUnderBothNames() {
        try (TraceSource source = create(Map.of("bootstrap-servers", "10.0.0.5:9092,10.0.0.6:9092"))) {
            assertThat(source.replicaEnvironment(new AppRef("ana", "web"), "credential"))
                    .isEqualTo(Map.of(
                            "KAFKA_ADDRESS", "10.0.0.5:9092,10.0.0.6:9092",
                            "KAFKAADDRESS", "10.0.0.5:9092,10.0.0.6:9092"));
            assertThat(source.httpReceiver()).isEmpty();
        }
    }

    @Test
    void reportsUnhealthyBeforeStartAndAfterClose() {
        TraceSource source = create(Map.of("bootstrap-servers", "127.0.0.1:9092"));

        assertThat(source.check().healthy()).isFalse();
        assertThat(source.check().detail()).contains("127.0.0.1:9092").contains("not started");

        source.close();

        assertThat(source.check().healthy()).isFalse();
        assertThat(source.check().detail()).contains("closed");
    }

    @Test
    void aBrokerThatIsNotThereMakesItUnhealthyNotDead() throws Exception {
        String nowhere = "127.0.0.1:" + freePort();
        CollectingSink sink = new CollectingSink();
        try (TraceSource source = create(Map.of("bootstrap-servers", nowhere, "unhealthy-after", "1s"))) {
            source.start(sink);

            Thread.sleep(1_500);

            assertThat(source.check().healthy()).isFalse();
            assertThat(source.check().detail()).contains(nowhere).contains("connecting");
            assertThatThrownBy(() -> source.start(sink))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("started already");
        }
        assertThat(sink.spans()).isEmpty();
    }

    private TraceSource create(Map<String, String> values) {
        return new KafkaTraceSourceFactory()
                .create(new PluginContext(
                        "tracing-kafka",
                        new PluginConfig(KafkaTraceConfig.SECTION, values),
                        dataDir,
                        URI.create("http://127.0.0.1:7070"),
                        Clock.systemUTC()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
