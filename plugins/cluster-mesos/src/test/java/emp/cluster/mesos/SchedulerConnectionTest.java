package emp.cluster.mesos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import org.junit.jupiter.api.Test;

class SchedulerConnectionTest {
    private static final URI CURRENT = URI.create("http://master-1:5050/api/v1/scheduler");

    @Test
    void aRedirectToTheLeaderIsFollowedInTheFormsMastersWriteIt() {
        assertThat(SchedulerConnection.leaderEndpoint(CURRENT, "//master-2:5050/api/v1/scheduler"))
                .isEqualTo(URI.create("http://master-2:5050/api/v1/scheduler"));
        assertThat(SchedulerConnection.leaderEndpoint(CURRENT, "http://10.0.0.3:5050"))
                .isEqualTo(URI.create("http://10.0.0.3:5050/api/v1/scheduler"));
        assertThat(SchedulerConnection.leaderEndpoint(
                        URI.create("https://m:5050/api/v1/scheduler"), "//m2:5050/api/v1/scheduler"))
                .isEqualTo(URI.create("https://m2:5050/api/v1/scheduler"));
    }

    @Test
    void failuresAreSaidInWords() {
        assertThat(SchedulerConnection.describe(new ConnectException())).isEqualTo("connection refused");
        assertThat(SchedulerConnection.describe(new HttpConnectTimeoutException("x")))
                .isEqualTo("connecting timed out");
        assertThat(SchedulerConnection.describe(new IOException("closed"))).isEqualTo("closed");
        assertThat(SchedulerConnection.describe(new IOException())).isEqualTo("IOException");
    }
}
