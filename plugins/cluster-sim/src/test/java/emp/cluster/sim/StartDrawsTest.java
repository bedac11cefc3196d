package emp.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import java.time.Duration;
import java.util.HashSet;
import java.util.LongSummaryStatistics;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StartDrawsTest {
    private static final AppRef WEB = new AppRef("alice", "web");

    @Test
    void latenciesAreUniformWithinTheJitter() {
        StartDraws draws = new StartDraws(7, Duration.ofMillis(200), Duration.ofMillis(100));
        LongSummaryStatistics latencies = new LongSummaryStatistics();
        Set<Long> seen = new HashSet<>();
        for (int index = 1; index <= 10_000; index++) {
            long latency = draws.draw(WEB, index, 0, 0).latencyMillis();
            latencies.accept(latency);
            seen.add(latency);
        }

        assertThat(latencies.getMin()).isEqualTo(100);
        assertThat(latencies.getMax()).isEqualTo(300);
        assertThat(latencies.getAverage()).isBetween(195.0, 205.0);
        assertThat(seen).hasSize(201);
    }

    @Test
    void withoutJitterEveryStartTakesTheLatency() {
        StartDraws draws = new StartDraws(7, Duration.ofMillis(50), Duration.ZERO);

        assertThat(draws.draw(WEB, 1, 0, 0).latencyMillis()).isEqualTo(50);
        assertThat(draws.draw(WEB, 2, 3, 0).latencyMillis()).isEqualTo(50);
    }

    @Test
    void crashesComeAsOftenAsTheirProbability() {
        StartDraws draws = new StartDraws(7, Duration.ofMillis(200), Duration.ofMillis(100));
        int crashes = 0;
        for (int index = 1; index <= 10_000; index++) {
            crashes += draws.draw(WEB, index, 0, 0.2).crashes() ? 1 : 0;
        }

        // 2,000 expected; the standard deviation is 40.
        assertThat(crashes).isBetween(1_840, 2_160);
        assertThat(draws.draw(WEB, 1, 0, 0).crashes()).isFalse();
        assertThat(draws.draw(WEB, 1, 0, 1).crashes()).isTrue();
    }

    @Test
    void aSeedGivesEachStartTheSameDrawWhateverTheOrder() {
        StartDraws one = new StartDraws(42, Duration.ofMillis(200), Duration.ofMillis(100));
        StartDraws again = new StartDraws(42, Duration.ofMillis(200), Duration.ofMillis(100));
        StartDraws other = new StartDraws(43, Duration.ofMillis(200), Duration.ofMillis(100));

        assertThat(again.draw(WEB, 9, 2, 0.5)).isEqualTo(one.draw(WEB, 9, 2, 0.5));
        int differ = 0;
        for (int index = 1; index <= 100; index++) {
            differ += one.draw(WEB, index, 0, 0.5).equals(other.draw(WEB, index, 0, 0.5)) ? 0 : 1;
        }
        assertThat(differ).as("draws of another seed").isGreaterThan(90);
        assertThat(one.draw(WEB, 1, 0, 0.5))
                .as("another start of the same replica")
                .isNotEqualTo(one.draw(WEB, 1, 1, 0.5))
                .as("the same replica of another app")
                .isNotEqualTo(one.draw(new AppRef("alice", "api"), 1, 0, 0.5));
    }
}
