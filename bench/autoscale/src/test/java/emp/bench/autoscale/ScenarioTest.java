package emp.bench.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    @Test
    void everyScenarioButTheWaveStepsUpHoldsAndDropsBack() {
        Map<String, Scenario> quick = Scenario.all(true);

        assertThat(quick).containsOnlyKeys("leaf-cost", "load-step", "spike", "serial-leaf", "wave");
        Schedule step = quick.get("load-step").schedule();
        assertThat(step.rateAt(19.9)).isEqualTo(12);
        assertThat(step.rateAt(20)).isEqualTo(36);
        assertThat(step.rateAt(59.9)).isEqualTo(36);
        assertThat(step.rateAt(60)).isEqualTo(12);
        assertThat(step.rateAt(149)).isEqualTo(12);
        assertThat(quick.get("load-step").dropAt()).isEqualTo(60);

        Schedule serial = quick.get("serial-leaf").schedule();
        assertThat(serial.rateAt(0)).isEqualTo(10);
        assertThat(serial.rateAt(30)).isEqualTo(30);
        assertThat(serial.rateAt(100)).isEqualTo(10);
        assertThat(quick.get("serial-leaf").stack()).isEqualTo(Scenario.Stack.SERIAL_LEAF);
        assertThat(quick.get("serial-leaf").bottleneck()).isEqualTo(new Scenario.Bottleneck("leaf", 1));

        // The spike as it was: 10 s at 4x, then the base; its drop is its end.
        assertThat(quick.get("spike").schedule().rateAt(29.9)).isEqualTo(48);
        assertThat(quick.get("spike").schedule().rateAt(30)).isEqualTo(12);
        assertThat(quick.get("spike").dropAt()).isEqualTo(30);

        // The leaf's cost changes at 20 s and goes back at 60 s; the load stays.
        Scenario leafCost = quick.get("leaf-cost");
        assertThat(leafCost.costChange()).isPresent();
        assertThat(leafCost.dropAt()).isEqualTo(60);
        assertThat(leafCost.schedule().rateAt(100)).isEqualTo(25);

        assertThat(quick.get("wave").dropAt()).isNaN();
    }

    @Test
    void quickAndFullPhases() {
        assertThat(Scenario.changeAt(true)).isEqualTo(20);
        assertThat(Scenario.dropAt(true)).isEqualTo(60);
        assertThat(Scenario.length(true)).isEqualTo(150);
        assertThat(Scenario.changeAt(false)).isEqualTo(60);
        assertThat(Scenario.dropAt(false)).isEqualTo(180);
        assertThat(Scenario.length(false)).isEqualTo(330);
        Scenario full = Scenario.all(false).get("load-step");
        assertThat(full.schedule().rateAt(179)).isEqualTo(36);
        assertThat(full.schedule().rateAt(180)).isEqualTo(12);
    }

    @Test
    void aDropThatDisagreesWithTheScheduleIsRefused() {
        assertThatThrownBy(() -> new Scenario(
                        "x",
                        "x",
                        Scenario.Stack.SONGS,
                        new Schedule(Schedule.Kind.STEP, 10, 3, 20, 40),
                        Map.of(),
                        Optional.empty(),
                        50,
                        new Scenario.Bottleneck("songs", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the load drops at 60.0 s, but the scenario says 50.0 s");
    }

    @Test
    void aStepWithoutAHoldLengthHoldsToTheEnd() {
        Schedule step = new Schedule(Schedule.Kind.STEP, 10, 3, 20, 0);

        assertThat(step.rateAt(1000)).isEqualTo(30);
        assertThat(step.dropAt()).isNaN();
    }
}
