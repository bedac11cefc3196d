package emp.host.scale;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TickTimesTest {
    @Test
    void saysTheLastTheMedianAndTheSlowestOfTheLastTicks() {
        TickTimes times = new TickTimes();
        assertThat(times.describe()).isEqualTo("no tick yet");

        times.record(500_000_000L); // pushed out by the 60 below
        for (int i = 1; i <= TickTimes.KEPT; i++) {
            times.record(i * 1_000_000L);
        }

        assertThat(times.describe())
                .isEqualTo("61 ticks; the last took 60.0 ms; of the last 60, median 31.0 ms, slowest 60.0 ms");
    }
}
