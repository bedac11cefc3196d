package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayLifecycleTest extends GatewayTestSupport {
    @Test
    void portTakenFailsNamingHostAndPort() {
        Gateway first = gateway(new MapRouteTable());
        Gateway second =
                closeLater(new Gateway(GatewayConfig.defaults("127.0.0.1", first.port()), new MapRouteTable()));

        assertThatThrownBy(second::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("could not listen on 127.0.0.1:" + first.port());
    }

    @Test
    void reportsItsPortAndBaseUriOnceStarted() {
        Gateway gateway = closeLater(new Gateway(GatewayConfig.defaults("127.0.0.1", 0), new MapRouteTable()));
        assertThatThrownBy(gateway::port)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("start()");

        gateway.start();

        assertThat(gateway.port()).isPositive();
        assertThat(gateway.baseUri()).hasToString("http://127.0.0.1:" + gateway.port());
        assertThatThrownBy(gateway::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeStopsServingFreesThePortAndCanBeRepeated() throws Exception {
        TestBackend replica = backend("hello-1");
        MapRouteTable routes = new MapRouteTable().put("alice", "hello", List.of(replica.backend()));
        Gateway gateway = gateway(routes);
        assertThat(get(gateway, "/alice/hello/x").statusCode()).isEqualTo(200);
        int port = gateway.port();

        gateway.close();
        gateway.close();

        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        assertThatThrownBy(gateway::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        Gateway again = gateway(GatewayConfig.defaults("127.0.0.1", port), routes);
        assertThat(get(again, "/alice/hello/y").body()).isEqualTo("hello-1 GET /y");
    }

    @Test
    void closeBeforeStartIsHarmless() {
        new Gateway(GatewayConfig.defaults("127.0.0.1", 0), new MapRouteTable()).close();
    }
}
