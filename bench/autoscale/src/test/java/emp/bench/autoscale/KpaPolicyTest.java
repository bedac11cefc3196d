package emp.bench.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KpaPolicyTest {
    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

    /** Knative's defaults with the experiment's target: 1.0 a replica at 70 %, so 0.7. */
    private final KpaPolicy kpa = new KpaPolicy(KpaPolicy.Parameters.defaults());

    /** A target of exactly 1.0 a replica (100 % utilization), for answers that fall on the boundaries. */
    private final KpaPolicy kpaAt1 = new KpaPolicy(
            new KpaPolicy.Parameters(1.0, 1.0, Duration.ofSeconds(60), Duration.ofSeconds(6), 2.0, 1000, 2));

    @Test
    void theDefaultsAreKnativesWithATargetOf70PercentOfOne() {
        KpaPolicy.Parameters defaults = KpaPolicy.Parameters.defaults();

        assertThat(defaults.target()).isCloseTo(0.7, within(1e-12));
        assertThat(defaults.stableWindow()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.panicWindow()).isEqualTo(Duration.ofSeconds(6));
        assertThat(defaults.panicThreshold()).isEqualTo(2.0);
        assertThat(defaults.maxScaleUpRate()).isEqualTo(1000);
        assertThat(defaults.maxScaleDownRate()).isEqualTo(2);
        assertThat(KpaPolicy.Parameters.withTarget(2).target()).isCloseTo(1.4, within(1e-12));
    }

    @Test
    void parametersThatMakeNoSenseAreRefused() {
        assertThatThrownBy(() -> KpaPolicy.Parameters.withTarget(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("target per replica");
        assertThatThrownBy(() ->
                        new KpaPolicy.Parameters(1, 0.7, Duration.ofSeconds(6), Duration.ofSeconds(60), 2, 1000, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("panic window");
    }

    @Test
    void scalesToCeilOfTheStableConcurrencyOverTheTarget() {
        var decision = kpa.decide(input("songs", 2, 2, 10, seconds(T0, 60, 2.0)), T0);

        assertThat(decision).hasValueSatisfying(d -> {
            assertThat(d.to()).isEqualTo(3); // ceil(2.0 / 0.7); the panic window wants 3 < 2 x 2: no panic
            assertThat(d.reason())
                    .contains("concurrency 2.00 over 60 s, 2.00 over 6 s, target 0.70 a replica")
                    .contains("stable: ceil(2.00 / 0.70) = 3");
        });
        assertThat(kpa.panicking("songs")).isFalse();
    }

    @Test
    void observationsOutsideTheStableWindowDoNotCount() {
        List<KpaPolicy.Observation> observations = new ArrayList<>(seconds(T0.minusSeconds(61), 30, 10.0));
        observations.addAll(seconds(T0, 60, 1.0));

        // ceil(1.0 / 0.7) = 2, and 4 ready may lose 2 in one decision.
        assertThat(kpa.decide(input("songs", 4, 4, 10, observations), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(2));
    }

    @Test
    void aSurgeInThePanicWindowEntersPanicModeAndUsesThePanicFigure() {
        var decision = kpa.decide(input("leaf", 1, 1, 10, surge(T0, 0.5, 5.0)), T0);

        // Stable: (54 x 0.5 + 6 x 5.0) / 60 = 0.95 wants 2; panic: ceil(5.0 / 0.7) = 8 >= 2 x 1 ready.
        assertThat(decision).hasValueSatisfying(d -> {
            assertThat(d.to()).isEqualTo(8);
            assertThat(d.reason()).contains("panic (8 >= 200% of 1 ready): ceil(5.00 / 0.70) = 8");
        });
        assertThat(kpa.panicking("leaf")).isTrue();
    }

    @Test
    void panicModeStartsAtExactlyTwiceTheReadyReplicas() {
        // Stable (54 x 1 + 6 x 4) / 60 = 1.3 wants 2 = current; the panic window wants 4 = 2 x 2 ready: panic.
        assertThat(kpaAt1.decide(input("a", 2, 2, 10, surge(T0, 1.0, 4.0)), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(4));
        assertThat(kpaAt1.panicking("a")).isTrue();
        // 3 < 2 x 2: no panic, and the stable figure (1.2 wants 2) keeps what there is.
        assertThat(kpaAt1.decide(input("b", 2, 2, 10, surge(T0, 1.0, 3.0)), T0)).isEmpty();
        assertThat(kpaAt1.panicking("b")).isFalse();
    }

    @Test
    void panicModeNeverScalesDownAndEndsAStableWindowAfterTheCondition() {
        assertThat(kpa.decide(input("leaf", 1, 1, 10, surge(T0, 0.5, 5.0)), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(8));

        // The load is gone (1.0 wants 2, and 2 < 2 x 8 ready), but panic mode keeps the 8 it asked for.
        Instant t2 = T0.plusSeconds(2);
        assertThat(kpa.decide(input("leaf", 8, 8, 10, seconds(t2, 60, 1.0)), t2))
                .isEmpty();
        assertThat(kpa.panicking("leaf")).isTrue();
        Instant t60 = T0.plusSeconds(60);
        assertThat(kpa.decide(input("leaf", 8, 8, 10, seconds(t60, 60, 1.0)), t60))
                .isEmpty();

        // More than 60 s without the condition: out of panic mode, and down by at most half of the ready replicas.
        Instant t62 = T0.plusSeconds(62);
        assertThat(kpa.decide(input("leaf", 8, 8, 10, seconds(t62, 60, 1.0)), t62))
                .hasValueSatisfying(d -> {
                    assertThat(d.to()).isEqualTo(4);
                    assertThat(d.reason())
                            .contains("stable: ceil(1.00 / 0.70) = 2")
                            .contains("at least 4 this decision (8 ready / 2)");
                });
        assertThat(kpa.panicking("leaf")).isFalse();
    }

    @Test
    void theConditionAgainProlongsPanicMode() {
        kpa.decide(input("leaf", 1, 1, 10, surge(T0, 0.5, 5.0)), T0);
        // 40 s later the panic window wants 17 >= 2 x 8 ready again: panic mode now lasts until 60 s after this.
        Instant t40 = T0.plusSeconds(40);
        assertThat(kpa.decide(input("leaf", 8, 8, 10, surge(t40, 0.5, 11.9)), t40))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(10));
        Instant t90 = T0.plusSeconds(90);
        assertThat(kpa.decide(input("leaf", 10, 10, 10, seconds(t90, 60, 0.5)), t90))
                .isEmpty();
        assertThat(kpa.panicking("leaf")).isTrue();
        Instant t102 = T0.plusSeconds(102);
        assertThat(kpa.decide(input("leaf", 10, 10, 10, seconds(t102, 60, 0.5)), t102))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(5));
    }

    @Test
    void scaleDownIsAtMostHalfTheReadyReplicasPerDecision() {
        List<KpaPolicy.Observation> idle = seconds(T0, 60, 0.0);

        assertThat(kpa.decide(input("songs", 8, 8, 10, idle), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(4));
        assertThat(kpa.decide(input("songs", 4, 4, 10, idle), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(2));
        assertThat(kpa.decide(input("songs", 2, 2, 10, idle), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(1));
        // Knative would go to 0; min_replicas 1 keeps one.
        assertThat(kpa.decide(input("songs", 1, 1, 10, idle), T0)).isEmpty();
    }

    @Test
    void scaleUpIsAtMostAThousandTimesTheReadyReplicasPerDecision() {
        assertThat(kpaAt1.decide(input("a", 1, 1, 5000, seconds(T0, 60, 1500)), T0))
                .hasValueSatisfying(d -> {
                    assertThat(d.to()).isEqualTo(1000);
                    assertThat(d.reason()).contains("at most 1000 this decision");
                });
        // No replica ready yet counts as one.
        assertThat(kpaAt1.decide(input("b", 3, 0, 5000, seconds(T0, 60, 1500)), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(1000));
    }

    @Test
    void neverPassesTheAppsBounds() {
        assertThat(kpa.decide(input("leaf", 1, 1, 8, seconds(T0, 60, 10)), T0)).hasValueSatisfying(d -> {
            assertThat(d.to()).isEqualTo(8); // ceil(10 / 0.7) = 15
            assertThat(d.reason()).contains("held to 1..8");
        });
        assertThat(kpa.decide(new KpaPolicy.Input("users", 4, 4, 3, 10, seconds(T0, 60, 0)), T0))
                .hasValueSatisfying(d -> assertThat(d.to()).isEqualTo(3));
    }

    @Test
    void anAppWithoutObservationsInEitherWindowIsLeftAlone() {
        assertThat(kpa.decide(input("auth", 3, 3, 10, List.of()), T0)).isEmpty();
        // The newest observation is 10 s old: nothing in the panic window.
        assertThat(kpa.decide(input("auth", 3, 3, 10, seconds(T0.minusSeconds(10), 50, 0)), T0))
                .isEmpty();
    }

    @Test
    void theWindowsAreHalfOpenAtTheirOldEnd() {
        List<KpaPolicy.Observation> observations = List.of(
                new KpaPolicy.Observation(T0.minusSeconds(6), 100),
                new KpaPolicy.Observation(T0.minusSeconds(5), 1),
                new KpaPolicy.Observation(T0, 3));

        assertThat(KpaPolicy.mean(observations, T0, Duration.ofSeconds(6))).isEqualTo(2.0);
        assertThat(KpaPolicy.mean(observations, T0, Duration.ofSeconds(60))).isCloseTo(104 / 3.0, within(1e-9));
        assertThat(KpaPolicy.mean(observations, T0.minusSeconds(30), Duration.ofSeconds(6)))
                .isNaN();
    }

    private static KpaPolicy.Input input(String app, int current, int ready, int max, List<KpaPolicy.Observation> o) {
        return new KpaPolicy.Input(app, current, ready, 1, max, o);
    }

    /** {@code count} seconds of {@code concurrency}, the last at {@code end}. */
    private static List<KpaPolicy.Observation> seconds(Instant end, int count, double concurrency) {
        List<KpaPolicy.Observation> observations = new ArrayList<>();
        for (int i = count - 1; i >= 0; i--) {
            observations.add(new KpaPolicy.Observation(end.minusSeconds(i), concurrency));
        }
        return observations;
    }

    /** 54 seconds of {@code before}, then 6 (the panic window) of {@code after}, the last at {@code end}. */
    private static List<KpaPolicy.Observation> surge(Instant end, double before, double after) {
        List<KpaPolicy.Observation> observations = new ArrayList<>(seconds(end.minusSeconds(6), 54, before));
        observations.addAll(seconds(end, 6, after));
        return observations;
    }
}
