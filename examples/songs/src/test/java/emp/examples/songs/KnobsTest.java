package emp.examples.songs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KnobsTest {
    @Test
    void unsetOrEmptyMeansNoAddedWork() {
        assertThat(Knobs.fromEnvironment(Map.of())).isEqualTo(Knobs.NONE);
        assertThat(Knobs.fromEnvironment(
                        Map.of("WORK_CPU_MS", "", "WORK_LATENCY_MS", " ", "MAX_CONCURRENCY", "", "ERROR_RATE", "")))
                .isEqualTo(Knobs.NONE);
    }

    @Test
    void readsEveryKnob() {
        Knobs knobs = Knobs.fromEnvironment(
                Map.of("WORK_CPU_MS", "20", "WORK_LATENCY_MS", " 50 ", "MAX_CONCURRENCY", "4", "ERROR_RATE", "0.05"));

        assertThat(knobs).isEqualTo(new Knobs(Duration.ofMillis(20), Duration.ofMillis(50), 4, 0.05));
    }

    @Test
    void aValueNotUnderstoodIsNamedWithWhatIsExpected() {
        assertThatThrownBy(() -> Knobs.fromEnvironment(Map.of("WORK_CPU_MS", "lots")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("WORK_CPU_MS is 'lots'; expected milliseconds of CPU work per request, such as 20");
        assertThatThrownBy(() -> Knobs.fromEnvironment(Map.of("WORK_LATENCY_MS", "-5")))
                .hasMessageStartingWith("WORK_LATENCY_MS is '-5'; expected milliseconds");
        assertThatThrownBy(() -> Knobs.fromEnvironment(Map.of("MAX_CONCURRENCY", "2.5")))
                .hasMessageStartingWith("MAX_CONCURRENCY is '2.5'; expected the number of requests");
        assertThatThrownBy(() -> Knobs.fromEnvironment(Map.of("ERROR_RATE", "5%")))
                .hasMessageStartingWith("ERROR_RATE is '5%'; expected the fraction of requests to fail, from 0 to 1");
        assertThatThrownBy(() -> Knobs.fromEnvironment(Map.of("ERROR_RATE", "1.5")))
                .hasMessageStartingWith("ERROR_RATE is '1.5'");
        assertThatThrownBy(() -> Knobs.fromEnvironment(Map.of("ERROR_RATE", "NaN")))
                .hasMessageStartingWith("ERROR_RATE is 'NaN'");
    }
}
