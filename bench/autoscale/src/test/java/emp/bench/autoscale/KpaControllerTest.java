package emp.bench.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class KpaControllerTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @Test
    void eachSecondOfTheLoadIsInFlightPlusQueuedTheNewestAtNow() throws Exception {
        var load = EmpApi.JSON.readTree("""
                {"seconds": [
                  {"arrivals": 20, "completions": 20, "rejected": 0, "mean_in_flight": 1.0, "mean_queued": 0.0,
                   "service_ms": 50},
                  {"arrivals": 30, "completions": 25, "rejected": 0, "mean_in_flight": 1.0, "mean_queued": 1.5,
                   "service_ms": 50},
                  {"arrivals": 30, "completions": 28, "rejected": 1, "mean_in_flight": 2.0, "mean_queued": 3.25,
                   "service_ms": 51}],
                 "in_flight": 2, "queued": 4, "oldest_queued_ms": 180, "limit_per_replica": 1,
                 "limit_learned": true}
                """);

        assertThat(KpaController.fromLoad(load, NOW))
                .containsExactly(
                        new KpaPolicy.Observation(NOW.minusSeconds(2), 1.0),
                        new KpaPolicy.Observation(NOW.minusSeconds(1), 2.5),
                        new KpaPolicy.Observation(NOW, 5.25));
    }

    @Test
    void anAnswerWithoutSecondsIsAnError() throws Exception {
        var load = EmpApi.JSON.readTree("{\"in_flight\": 2}");

        assertThatThrownBy(() -> KpaController.fromLoad(load, NOW))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without a 'seconds' list");
    }
}
