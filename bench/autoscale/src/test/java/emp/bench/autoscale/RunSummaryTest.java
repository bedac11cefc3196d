package emp.bench.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RunSummaryTest {
    @Test
    void recoveryIsTheStartOfTheFirstFiveGoodSecondsAfterTheStep() {
        boolean[] violated = new boolean[40];
        for (int second = 20; second < 26; second++) {
            violated[second] = true;
        }
        violated[28] = true;

        // 26 and 27 are good, 28 is not, 29 to 33 are.
        assertThat(RunSummary.recovery(violated, 20, 40)).isEqualTo(OptionalInt.of(9));
    }

    @Test
    void recoveryMustHappenBeforeTheDrop() {
        boolean[] violated = new boolean[40];
        for (int second = 20; second < 29; second++) {
            violated[second] = true;
        }

        // 29 to 33 are good, but the load dropped at 32: what came back was not recovered by scaling.
        assertThat(RunSummary.recovery(violated, 20, 32)).isEmpty();
        assertThat(RunSummary.recovery(violated, 20, 34)).isEqualTo(OptionalInt.of(9));
    }

    @Test
    void noRecoveryWhenTheRunEndsFirstAndNoneNeededWithoutViolations() {
        boolean[] violated = new boolean[30];
        for (int second = 20; second < 27; second++) {
            violated[second] = true;
        }

        assertThat(RunSummary.recovery(violated, 20, 30)).isEmpty();
        assertThat(RunSummary.recovery(new boolean[30], 20, 30)).isEqualTo(OptionalInt.of(0));
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
    void backToBaseWaitsForTheAskedAndTheReadyReplicas() {
        List<AppSample> samples = List.of(
                sample(60, "leaf", 3, 3),
                sample(60, "front", 1, 1),
                sample(65, "leaf", 1, 3), // asked for 1, two still stopping
                sample(66, "front", 1, 1),
                sample(67, "leaf", 1, 1));

        assertThat(RunSummary.backToBase(samples, "leaf", 60, 1, 150)).isEqualTo(OptionalInt.of(7));
        assertThat(RunSummary.backToBase(samples, "leaf", 60, 3, 150)).isEqualTo(OptionalInt.of(0));
    }

    @Test
    void backToBaseIsNeverWhenTheAppStaysUpOrTheRunEnds() {
        List<AppSample> samples = List.of(sample(50, "leaf", 4, 4), sample(70, "leaf", 2, 2), sample(90, "leaf", 1, 1));

        assertThat(RunSummary.backToBase(samples, "leaf", 60, 1, 90)).isEmpty();
        assertThat(RunSummary.backToBase(samples, "leaf", 60, 1, 91)).isEqualTo(OptionalInt.of(30));
        // Already there before the drop (never scaled): 0, from the latest sample before it.
        assertThat(RunSummary.backToBase(List.of(sample(55, "leaf", 1, 1)), "leaf", 60, 1, 90))
                .isEqualTo(OptionalInt.of(0));
    }

    @Test
    void replicaSecondsAddUpTheReadyReplicasCarriedForward() {
        List<AppSample> samples = List.of(
                sample(-1, "front", 1, 1), // from the warm-up, and never sampled again
                sample(0, "leaf", 2, 1),
                sample(1, "leaf", 2, 2));

        // front 1 + 1 + 1, leaf 1 + 2 + 2 (its desired 2 does not count until ready).
        assertThat(RunSummary.replicaSeconds(samples, 3)).isEqualTo(8);
    }

    @Test
    void scaledNamesEachAppWithTheMostReplicasItWasScaledTo() {
        List<ScaleEvent> events = List.of(
                new ScaleEvent(-30, "songs", "deploy", "deployed songs with 1 replica"),
                new ScaleEvent(22, "songs", "scale", "scaled songs 1 -> 3 by scheduler tracegraph: p95 410 ms"),
                new ScaleEvent(25, "aggregator", "scale", "scaled aggregator 1 -> 2 by bench: hpa: p95"),
                new ScaleEvent(40, "songs", "scale", "scaled songs 3 -> 4 by scheduler tracegraph: p95 230 ms"),
                new ScaleEvent(90, "songs", "scale", "scaled songs 4 -> 1 by bench: kpa: concurrency 0.40"));

        assertThat(RunSummary.scaled(events)).isEqualTo("songs (max 4), aggregator (max 2)");
        assertThat(RunSummary.scaled(List.of())).isEqualTo("none");
    }

    @Test
    void aWholeRunsFigures() {
        RunSummary s = RunSummary.of(serialLeafRun("serial-leaf", 16));

        assertThat(s.violationSeconds()).isEqualTo(3); // 5 and 6 slow, 8 with 20 % failed; the warm-up not counted
        assertThat(s.measuredSeconds()).isEqualTo(20);
        assertThat(s.sent()).isEqualTo(200);
        assertThat(s.failed()).isEqualTo(2);
        assertThat(s.failedPercent()).isEqualTo(1.0);
        assertThat(s.recoverySeconds()).isEqualTo(OptionalInt.of(4)); // 9 to 13 within target
        assertThat(s.hasDrop()).isTrue();
        assertThat(s.backToBaseSeconds()).isEqualTo(OptionalInt.of(2)); // leaf 1 asked and ready at 18
        // front 20 x 1; leaf 1 x 6 (0-5), 2 (6), 3 x 10 (7-16), 2 (17), 1 (18), 1 (19).
        assertThat(s.replicaSeconds()).isEqualTo(62);
        assertThat(s.scaled()).isEqualTo("leaf (max 3)");
    }

    @Test
    void theTableSaysNeverAndNotApplicable() {
        RunData dropEarly = serialLeafRun("serial-leaf", 12); // 9, 10, 11: too few good seconds before the drop
        RunData noDrop = serialLeafRun("wave", Double.NaN);

        String markdown = Report.markdown(
                Map.of("serial-leaf", List.of(dropEarly), "wave", List.of(noDrop)), List.of(), List.of("Date: now."));

        assertThat(markdown)
                .contains("| s in violation | replica-s | failed | recovery | back to base |")
                .contains("| serial-leaf | kpa | 3 / 20 | 62 | 2 (1.0 %) | never | 6 s |")
                .contains("| wave | kpa | 3 / 20 | 62 | 2 (1.0 %) | 4 s | — |")
                .contains("entry app front (p95 target 200 ms)")
                .contains("back to base: leaf at 1 replica or fewer");
        assertThat(Report.percent(0.004)).isEqualTo("< 0.01");
        assertThat(Report.percent(0.05)).isEqualTo("0.05");
        assertThat(Report.percent(12.3)).isEqualTo("12");
    }

    /**
     * 20 measured seconds of 10 requests, a step at 5 and the drop at {@code dropAt}: 5 and 6 over the 200 ms
     * target, 8 with two failures; the leaf scaled 1 -> 3 at 6 and back to 1 at 17.
     */
    private static RunData serialLeafRun(String scenario, double dropAt) {
        List<LoadRow> load = new ArrayList<>();
        load.add(new LoadRow(-1, 10, 10, 10, 0, 900, 900, 900));
        for (int second = 0; second < 20; second++) {
            double p95 = second == 5 || second == 6 ? 300 : 100;
            long errors = second == 8 ? 2 : 0;
            load.add(new LoadRow(second, 10, 10, 10 - errors, errors, 50, p95, p95));
        }
        List<AppSample> apps = List.of(
                sample(0, "front", 1, 1),
                sample(0, "leaf", 1, 1),
                sample(6, "leaf", 3, 2),
                sample(7, "leaf", 3, 3),
                sample(17, "leaf", 1, 2),
                sample(18, "leaf", 1, 1));
        List<ScaleEvent> events = List.of(
                new ScaleEvent(6, "leaf", "scale", "scaled leaf 1 -> 3 by bench: kpa: panic"),
                new ScaleEvent(17, "leaf", "scale", "scaled leaf 3 -> 1 by bench: kpa: stable"));
        return new RunData(
                scenario,
                "kpa",
                "a hand-made run",
                1,
                20,
                5,
                Double.isNaN(dropAt) ? 0 : dropAt - 5,
                dropAt,
                "front",
                200,
                "leaf",
                1,
                load,
                apps,
                events,
                new Histogram(3));
    }

    private static AppSample sample(int second, String app, int desired, int ready) {
        return new AppSample(second, app, desired, ready, 10, 50, 5, 1);
    }
}
