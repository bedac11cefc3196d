package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void defaults() {
        GatewayConfig config = GatewayConfig.defaults("0.0.0.0", 8080);

        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.responseTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.maxBodyBytes()).isEqualTo(16 * 1024 * 1024);
    }

    @Test
    void host() {
        assertThatThrownBy(() -> new GatewayConfig(null, 0, SECOND, SECOND, 1)).hasMessageContaining("host");
        assertThatThrownBy(() -> new GatewayConfig(" ", 0, SECOND, SECOND, 1)).hasMessageContaining("host");
    }

    @Test
    void port() {
        assertThat(new GatewayConfig("h", 0, SECOND, SECOND, 1).port()).isZero();
        assertThat(new GatewayConfig("h", 65535, SECOND, SECOND, 1).port()).isEqualTo(65535);
        assertThatThrownBy(() -> new GatewayConfig("h", -1, SECOND, SECOND, 1)).hasMessageContaining("port -1");
        assertThatThrownBy(() -> new GatewayConfig("h", 65536, SECOND, SECOND, 1))
                .hasMessageContaining("port 65536");
    }

    @Test
    void connectTimeout() {
        assertThatThrownBy(() -> new GatewayConfig("h", 0, null, SECOND, 1)).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> new GatewayConfig("h", 0, Duration.ZERO, SECOND, 1))
                .hasMessageContaining("connectTimeout 'PT0S'");
    }

    @Test
    void responseTimeout() {
        assertThatThrownBy(() -> new GatewayConfig("h", 0, SECOND, null, 1)).hasMessageContaining("responseTimeout");
        assertThatThrownBy(() -> new GatewayConfig("h", 0, SECOND, Duration.ofMillis(-1), 1))
                .hasMessageContaining("responseTimeout");
    }

    @Test
    void maxBodyBytes() {
        assertThatThrownBy(() -> new GatewayConfig("h", 0, SECOND, SECOND, 0)).hasMessageContaining("maxBodyBytes 0");
    }
}
