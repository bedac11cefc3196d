package emp.host.scale;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DecisionGateTest {
    private static final AppRef APP = new AppRef("alice", "songs");
    private static final AppSpec SPEC = new AppSpec(
            "songs", null, null, null, null, null, List.of("java"), null, 2, 6, null, null, null, null, null, null);
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    private final DecisionGate gate = new DecisionGate(Duration.ofSeconds(10), Duration.ofSeconds(60));

    @Test
    void decisionsAreHeldToTheAppsBounds() {
        assertThat(gate.admit(APP, SPEC, 3, 50, T0)).contains(new DecisionGate.Verdict(6, true));
        assertThat(gate.admit(APP, SPEC, 3, 0, T0)).contains(new DecisionGate.Verdict(2, true));
        assertThat(gate.admit(APP, SPEC, 6, 9, T0)).as("already at the bound").isEmpty();
        assertThat(gate.admit(APP, SPEC, 3, 4, T0)).contains(new DecisionGate.Verdict(4, false));
        assertThat(gate.admit(APP, SPEC, 3, 3, T0)).isEmpty();
    }

    @Test
    void upIsFastAndDownIsSlow() {
        gate.changed(APP, T0);
        assertThat(gate.admit(APP, SPEC, 3, 4, T0.plusSeconds(9))).isEmpty();
        assertThat(gate.admit(APP, SPEC, 3, 4, T0.plusSeconds(10))).isPresent();
        assertThat(gate.admit(APP, SPEC, 3, 2, T0.plusSeconds(59))).isEmpty();
        assertThat(gate.admit(APP, SPEC, 3, 2, T0.plusSeconds(60))).isPresent();
    }

    @Test
    void forgottenAppsStartWithoutCooldown() {
        gate.changed(APP, T0);
        gate.retain(Set.of());
        assertThat(gate.admit(APP, SPEC, 3, 2, T0.plusSeconds(1))).isPresent();
    }
}
