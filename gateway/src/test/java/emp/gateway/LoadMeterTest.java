package emp.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LoadSecond;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadMeterTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = 5 * SECOND + 123;

    @Test
    void countsAndIntegratesEachWholeSecond() {
        LoadMeter meter = new LoadMeter(T0);
        meter.arrived(T0);
        meter.levels(T0, 1, 0);
        meter.arrived(T0 + SECOND / 4);
        meter.levels(T0 + SECOND / 4, 1, 1);
        meter.completed(T0 + SECOND / 2, SECOND / 2);
        meter.levels(T0 + SECOND / 2, 1, 0);
        meter.rejected(T0 + SECOND * 3 / 4);

        List<LoadSecond> seconds = meter.seconds(T0 + 2 * SECOND + 1);

        assertThat(seconds).hasSize(2);
        LoadSecond first = seconds.get(0);
        assertThat(first.arrivals()).isEqualTo(2);
        assertThat(first.completions()).isEqualTo(1);
        assertThat(first.rejected()).isEqualTo(1);
        assertThat(first.meanInFlight()).isCloseTo(1.0, within());
        assertThat(first.meanQueued()).isCloseTo(0.25, within());
        assertThat(first.serviceMs()).isCloseTo(500, within());
        // A second with nothing new keeps the levels it started with.
        assertThat(seconds.get(1)).isEqualTo(new LoadSecond(0, 0, 0, 1.0, 0.0, 0));
    }

    @Test
    void keepsTheLastMinuteOnlyAfterALongQuietSpell() {
        LoadMeter meter = new LoadMeter(T0);
        meter.arrived(T0);

        List<LoadSecond> seconds = meter.seconds(T0 + 3600 * SECOND);

        assertThat(seconds).hasSize(LoadFigures.MAX_SECONDS);
        assertThat(seconds.stream().mapToLong(LoadSecond::arrivals).sum()).isZero();
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }
}
