package emp.bench.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RunSummaryTest {
    @Test
    void recoveryIsTheStartOfTheFirstTenGoodSecondsAfterTheChange() {
        boolean[] violated = new boolean[40];
        for (int second = 20; second < 26; second++) {
            violated[second] = true;
        }
        violated[28] = true;

        assertThat(RunSummary.recovery(violated, 20)).isEqualTo(OptionalInt.of(9));
    }

    @Test
    void noRecoveryWhenTheRunEndsFirst() {
        boolean[] violated = new boolean[30];
        for (int second = 20; second < 25; second++) {
            violated[second] = true;
        }

        assertThat(RunSummary.recovery(violated, 20)).isEmpty();
    }

    @Test
    void aSecondOfFastErrorsIsAViolation() {
        assertThat(RunSummary.violates(new LoadRow(3, 25, 25, 20, 5, 3, 4, 5), 200))
                .isTrue();
        assertThat(RunSummary.violates(new LoadRow(3, 25, 25, 25, 0, 30, 250, 300), 200))
                .isTrue();
        assertThat(RunSummary.violates(new LoadRow(3, 25, 25, 25, 0, 30, 150, 300), 200))
                .isFalse();
    }

    @Test
    void scaledListsEachAppsCountsInOrder() {
        List<ScaleEvent> events = List.of(
                new ScaleEvent(-30, "songs", "deploy", "deployed songs with 1 replica"),
                new ScaleEvent(22, "songs", "scale", "scaled songs 1 -> 3 by scheduler tracegraph: p95 410 ms"),
                new ScaleEvent(25, "aggregator", "scale", "scaled aggregator 1 -> 2 by bench: hpa: p95"),
                new ScaleEvent(40, "songs", "scale", "scaled songs 3 -> 4 by scheduler tracegraph: p95 230 ms"));

        assertThat(RunSummary.scaled(events)).isEqualTo("songs 1→3→4, aggregator 1→2");
        assertThat(RunSummary.scaled(List.of())).isEqualTo("none");
    }
}
