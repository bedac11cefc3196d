package emp.spi.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RolloutTest {
    @Test
    void theDefaultsSurgeAQuarterRoundedUpAndNeverServeFewer() {
        assertThat(Rollout.DEFAULT.surge(1)).isEqualTo(1);
        assertThat(Rollout.DEFAULT.surge(3)).isEqualTo(1);
        assertThat(Rollout.DEFAULT.surge(5)).isEqualTo(2);
        assertThat(Rollout.DEFAULT.surge(8)).isEqualTo(2);
        assertThat(Rollout.DEFAULT.unavailable(8)).isZero();
    }

    @Test
    void countsArePercentagesOrNumbers() {
        Rollout rollout = new Rollout("2", "50%");
        assertThat(rollout.surge(10)).isEqualTo(2);
        assertThat(rollout.unavailable(3)).as("rounded down").isEqualTo(1);
        assertThat(new Rollout("0", "1").surge(4))
                .as("no surge when one may be missing")
                .isZero();
        assertThat(new Rollout("0%", "0").surge(4))
                .as("a rollout that could not move takes one")
                .isEqualTo(1);
    }

    @Test
    void onlyCountsAndPercentagesUpTo100AreValid() {
        assertThat(Rollout.valid("3")).isTrue();
        assertThat(Rollout.valid("100%")).isTrue();
        assertThat(Rollout.valid(null)).isTrue();
        assertThat(Rollout.valid("101%")).isFalse();
        assertThat(Rollout.valid("-1")).isFalse();
        assertThat(Rollout.valid("1.5")).isFalse();
        assertThat(Rollout.valid("")).isFalse();
    }
}
