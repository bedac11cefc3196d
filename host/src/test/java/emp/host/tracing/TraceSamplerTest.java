package emp.host.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TraceSamplerTest {
    @Test
    void aLevelKeepsOneTraceInTwoToItsPowerWhateverTheIdsLookLike() {
        TraceSampler sampler = new TraceSampler(1000);
        for (int level = 0; level <= 4; level++) {
            sampler.level(level);
            int kept = 0;
            int total = 64_000;
            for (int i = 0; i < total; i++) {
                // Sequential ids, the worst a generator could send: the hash must still spread them.
                if (sampler.keeps(TraceSampler.hash(String.format("%016x", i)), sampler.level())) {
                    kept++;
                }
            }
            assertThat((double) kept / total).as("level " + level).isCloseTo(1.0 / (1 << level), within(0.01));
        }
    }

    @Test
    void itStepsUpWhileAnalysisIsBehindAtMostOnceASecondAndDownOnceCalmForFiveSeconds() {
        TraceSampler sampler = new TraceSampler(1000);
        sampler.observe(5000, 0);
        sampler.observe(5000, 500);
        assertThat(sampler.level()).as("once per second at most").isEqualTo(1);
        sampler.observe(5000, 1000);
        assertThat(sampler.level()).isEqualTo(2);
        assertThat(sampler.fraction()).isEqualTo(0.25);

        sampler.observe(600, 2000);
        sampler.observe(0, 9000);
        assertThat(sampler.level()).as("600 ms behind is not calm").isEqualTo(2);
        sampler.observe(0, 14_000);
        assertThat(sampler.level()).as("calm for 5 s").isEqualTo(1);
        sampler.observe(0, 15_000);
        assertThat(sampler.level()).as("one step per 5 s").isEqualTo(1);
        sampler.observe(0, 19_000);
        assertThat(sampler.level()).isZero();
        sampler.observe(0, 60_000);
        assertThat(sampler.level()).isZero();
    }
}
