package emp.bench.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HpaPolicyTest {
    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

    private final HpaPolicy hpa = new HpaPolicy(0.1, Duration.ofMinutes(5));

    @Test
    void scalesUpToCeilOfCurrentTimesRatio() {
        var decision = hpa.decide(new HpaPolicy.Input("songs", 2, 1, 10, 130, 50), T0);

        assertThat(decision).hasValueSatisfying(d -> {
            assertThat(d.to()).isEqualTo(6); // ceil(2 x 2.6)
            assertThat(d.reason()).contains("p95 130 ms vs target 50 ms").contains("ceil(2 x 2.60) = 6");
        });
    }

    @Test
    void withinTheToleranceNothingChanges() {
        assertThat(hpa.decide(new HpaPolicy.Input("songs", 3, 1, 10, 54, 50), T0))
                .isEmpty();
        assertThat(hpa.decide(new HpaPolicy.Input("songs", 3, 1, 10, 46, 50), T0))
                .isEmpty();
    }

    @Test
    void scaleUpIsLimitedToDoublingOrFourMorePerPeriod() {
        assertThat(hpa.decide(new HpaPolicy.Input("a", 1, 1, 20, 5000, 50), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(5));
        assertThat(hpa.decide(new HpaPolicy.Input("b", 6, 1, 20, 5000, 50), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(12));
    }

    @Test
    void neverPassesTheAppsBounds() {
        assertThat(hpa.decide(new HpaPolicy.Input("songs", 4, 1, 6, 500, 50), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(6));
        assertThat(hpa.decide(new HpaPolicy.Input("users", 3, 2, 6, 1, 50), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(2));
    }

    @Test
    void scaleDownWaitsForTheStabilizationWindow() {
        assertThat(hpa.decide(new HpaPolicy.Input("songs", 1, 1, 10, 200, 50), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(4));
        // Quiet afterwards: the recommendation of 4 holds for five minutes, then the lower one wins.
        assertThat(hpa.decide(new HpaPolicy.Input("songs", 4, 1, 10, 10, 50), T0.plusSeconds(60)))
                .isEmpty();
        assertThat(hpa.decide(new HpaPolicy.Input("songs", 4, 1, 10, 10, 50), T0.plusSeconds(299)))
                .isEmpty();
        assertThat(hpa.decide(new HpaPolicy.Input("songs", 4, 1, 10, 10, 50), T0.plusSeconds(301)))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(1));
    }

    @Test
    void anAppWithoutAMeasurementIsLeftAlone() {
        assertThat(hpa.decide(new HpaPolicy.Input("auth", 2, 1, 10, Double.NaN, 50), T0))
                .isEmpty();
    }
}
