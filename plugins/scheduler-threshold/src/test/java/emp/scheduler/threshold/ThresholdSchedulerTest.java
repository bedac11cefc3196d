package emp.scheduler.threshold;

import static emp.tck.scheduler.Views.availability;
import static emp.tck.scheduler.Views.errorRate;
import static emp.tck.scheduler.Views.p95;
import static emp.tck.scheduler.Views.p99;
import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.app.QualityMetric;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.ClusterView;
import emp.spi.scheduler.EdgeMetrics;
import emp.spi.scheduler.ScaleDecision;
import emp.spi.scheduler.WindowMetrics;
import emp.tck.scheduler.Views;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ThresholdSchedulerTest {
    private static final AppRef SONGS = new AppRef("alice", "songs");
    private static final AppRef AGGREGATOR = new AppRef("alice", "aggregator");

    private final ThresholdScheduler scheduler = new ThresholdScheduler(ThresholdConfig.defaults());

    // ---- scale up ----

    @Test
    void p95OverTargetAddsOneReplicaWithTheReason() {
        AppView songs = app(SONGS, spec(p95(200)), 2, 2, window(100, 20, 0, 410, 500));

        assertThat(scheduler.decide(view(songs)))
                .containsExactly(new ScaleDecision(SONGS, 3, "p95 410 ms > 200 ms target"));
    }

    @Test
    void p99OverTargetAddsOneReplica() {
        AppView songs = app(SONGS, spec(p99(300)), 1, 1, window(100, 20, 0, 150, 812.5));

        assertThat(scheduler.decide(view(songs)))
                .containsExactly(new ScaleDecision(SONGS, 2, "p99 813 ms > 300 ms target"));
    }

    @Test
    void errorRateOverTargetAddsOneReplica() {
        AppView songs = app(SONGS, spec(errorRate(0.01)), 2, 2, window(100, 20, 0.042, 30, 40));

        assertThat(scheduler.decide(view(songs)))
                .containsExactly(new ScaleDecision(SONGS, 3, "error rate 4.2% > 1% target"));
    }

    @Test
    void availabilityUnderTargetAddsOneReplica() {
        AppView songs = app(SONGS, spec(availability(99.9)), 2, 2, window(100, 20, 0.05, 30, 40));

        assertThat(scheduler.decide(view(songs)))
                .containsExactly(new ScaleDecision(SONGS, 3, "availability 95% < 99.9% target"));
    }

    @Test
    void everyMissedTargetIsNamedInOneDecision() {
        AppView songs = app(SONGS, spec(p95(200), p99(400), errorRate(0.01)), 2, 2, window(100, 20, 0.02, 250, 390));

        assertThat(scheduler.decide(view(songs)))
                .containsExactly(new ScaleDecision(SONGS, 3, "p95 250 ms > 200 ms target; error rate 2% > 1% target"));
    }

    @Test
    void aTargetMetOnTheDotIsNotMissed() {
        AppView songs = app(SONGS, spec(p95(200)), 2, 2, window(100, 20, 0, 200, 300));

        assertThat(scheduler.decide(view(songs))).isEmpty();
    }

    // ---- scale down ----

    @Test
    void wellUnderWithLowLoadRemovesOneReplicaWithTheReason() {
        AppView songs = app(SONGS, spec(p95(200)), 3, 3, window(100, 6, 0, 40, 60));

        assertThat(scheduler.decide(view(songs)))
                .containsExactly(new ScaleDecision(
                        SONGS,
                        2,
                        "p95 40 ms < 50% of 200 ms target; 3 rps per replica with one fewer < 5 rps per replica"
                                + " (the default until it misses its target)"));
    }

    @Test
    void wellUnderButBusyKeepsItsReplicas() {
        AppView songs = app(SONGS, spec(p95(200)), 3, 3, window(100, 30, 0, 40, 60));

        assertThat(scheduler.decide(view(songs))).isEmpty();
    }

    @Test
    void underButNotWellUnderKeepsItsReplicas() {
        AppView songs = app(SONGS, spec(p95(200)), 3, 3, window(100, 1, 0, 150, 180));

        assertThat(scheduler.decide(view(songs))).isEmpty();
    }

    @Test
    void everyTargetMustBeWellUnderToRemoveOne() {
        AppView songs = app(SONGS, spec(p95(200), errorRate(0.01)), 3, 3, window(100, 1, 0.008, 40, 60));

        assertThat(scheduler.decide(view(songs))).isEmpty();
    }

    @Test
    void noErrorsAreWellUnderAZeroErrorTarget() {
        AppView songs = app(SONGS, spec(p95(200), errorRate(0)), 3, 3, window(100, 1, 0, 40, 60));

        assertThat(scheduler.decide(view(songs))).singleElement().satisfies(decision -> {
            assertThat(decision.replicas()).isEqualTo(2);
            assertThat(decision.reason())
                    .startsWith("p95 40 ms < 50% of 200 ms target, error rate 0% <= 50% of 0% target; ");
        });
    }

    @Test
    void availabilityWellMetAllowsRemovingOne() {
        AppView songs = app(SONGS, spec(availability(99)), 2, 2, window(100, 1, 0.001, 40, 60));

        assertThat(scheduler.decide(view(songs))).singleElement().satisfies(decision -> {
            assertThat(decision.replicas()).isEqualTo(1);
            assertThat(decision.reason()).startsWith("errors 0.1% <= 50% of the 1% allowed by 99% availability");
        });
    }

    @Test
    void theLowRateIsWhatTheAppCouldNotCarryWhenItLastMissedItsTarget() {
        // 40 rps over 2 ready replicas (a third still starting) missed the target: 20 rps per replica was too much.
        assertThat(scheduler.decide(view(app(SONGS, spec(p95(200)), 3, 2, window(100, 40, 0, 410, 500)))))
                .extracting(ScaleDecision::replicas)
                .containsExactly(4);

        // 45 rps on 4 replicas would be 15 per replica on 3: under the 20 that overloaded it, so one goes.
        assertThat(scheduler.decide(view(app(SONGS, spec(p95(200)), 4, 4, window(100, 45, 0, 40, 60)))))
                .containsExactly(new ScaleDecision(
                        SONGS,
                        3,
                        "p95 40 ms < 50% of 200 ms target; 15 rps per replica with one fewer < 20 rps per replica"
                                + " at which it last missed its target"));

        // 66 rps on 4 would be 22 per replica on 3: more than it carried, so it keeps them.
        assertThat(scheduler.decide(view(app(SONGS, spec(p95(200)), 4, 4, window(100, 66, 0, 40, 60)))))
                .isEmpty();
    }

    @Test
    void withoutAMissTheSameLoadIsNotLow() {
        assertThat(scheduler.decide(view(app(SONGS, spec(p95(200)), 4, 4, window(100, 45, 0, 40, 60)))))
                .isEmpty();
    }

    @Test
    void aConfiguredLowRateIsUsedInsteadOfWhatTheAppCarried() {
        ThresholdScheduler fixed = new ThresholdScheduler(new ThresholdConfig(20, 0.5, OptionalDouble.of(2)));
        fixed.decide(view(app(SONGS, spec(p95(200)), 3, 2, window(100, 40, 0, 410, 500))));

        assertThat(fixed.decide(view(app(SONGS, spec(p95(200)), 4, 4, window(100, 45, 0, 40, 60)))))
                .isEmpty();
        assertThat(fixed.decide(view(app(SONGS, spec(p95(200)), 4, 4, window(100, 4.5, 0, 40, 60)))))
                .containsExactly(new ScaleDecision(
                        SONGS,
                        3,
                        "p95 40 ms < 50% of 200 ms target; 1.5 rps per replica with one fewer < 2 rps per replica"
                                + " (scheduler.threshold.low-rate-per-replica)"));
    }

    @Test
    void aConfiguredScaleDownFractionIsUsed() {
        ThresholdScheduler strict = new ThresholdScheduler(new ThresholdConfig(20, 0.25, OptionalDouble.empty()));
        AppView at40Percent = app(SONGS, spec(p95(200)), 3, 3, window(100, 1, 0, 80, 90));
        AppView at20Percent = app(SONGS, spec(p95(200)), 3, 3, window(100, 1, 0, 40, 60));

        assertThat(strict.decide(view(at40Percent))).isEmpty();
        assertThat(strict.decide(view(at20Percent)))
                .singleElement()
                .satisfies(decision -> assertThat(decision.reason()).startsWith("p95 40 ms < 25% of 200 ms target; "));
    }

    @Test
    void whatAnAppCarriedIsForgottenWhenItLeavesTheView() {
        scheduler.decide(view(app(SONGS, spec(p95(200)), 3, 2, window(100, 40, 0, 410, 500))));
        scheduler.decide(view());

        assertThat(scheduler.decide(view(app(SONGS, spec(p95(200)), 4, 4, window(100, 45, 0, 40, 60)))))
                .isEmpty();
    }

    // ---- bounds ----

    @Test
    void atMaxReplicasOverTargetStays() {
        AppView songs = app(SONGS, spec(3, 5, p95(200)), 5, 5, window(100, 20, 0, 900, 990));

        assertThat(scheduler.decide(view(songs))).isEmpty();
    }

    @Test
    void aboveMaxReplicasOverTargetStays() {
        AppView songs = app(SONGS, spec(1, 4, p95(200)), 6, 6, window(100, 20, 0, 900, 990));

        assertThat(scheduler.decide(view(songs))).isEmpty();
    }

    @Test
    void belowMaxReplicasOverTargetGoesUpToTheMax() {
        AppView songs = app(SONGS, spec(3, 5, p95(200)), 4, 4, window(100, 20, 0, 900, 990));

        assertThat(scheduler.decide(view(songs)))
                .extracting(ScaleDecision::replicas)
                .containsExactly(5);
    }

    @Test
    void atMinReplicasWellUnderStays() {
        AppView songs = app(SONGS, spec(3, 5, p95(200)), 3, 3, window(100, 0.5, 0, 10, 20));

        assertThat(scheduler.decide(view(songs))).isEmpty();
    }

    @Test
    void neverScalesToZeroEvenWhenTheMinimumAllowsIt() {
        AppView songs = app(SONGS, spec(0, 5, p95(200)), 1, 1, window(100, 0.5, 0, 10, 20));

        assertThat(scheduler.decide(view(songs))).isEmpty();
    }

    @Test
    void anAppWithNoReplicasIsLeftAlone() {
        AppView songs = app(SONGS, spec(0, 5, p95(200)), 0, 0, window(100, 20, 0, 900, 990));

        assertThat(scheduler.decide(view(songs))).isEmpty();
    }

    // ---- left alone ----

    @Test
    void anAppWithoutQualityMetricsIsLeftAlone() {
        AppView songs = app(SONGS, spec(), 2, 2, window(100, 20, 0.5, 5_000, 9_000));

        assertThat(scheduler.decide(view(songs))).isEmpty();
    }

    @Test
    void aThroughputTargetAloneIsNotJudged() {
        AppView songs = app(
                SONGS, spec(new QualityMetric(QualityMetric.THROUGHPUT_RPS, "500")), 2, 2, window(100, 20, 0, 40, 60));

        assertThat(scheduler.decide(view(songs))).isEmpty();
    }

    @Test
    void anAppWithTooFewSpansIsLeftAlone() {
        AppView nineteen = app(SONGS, spec(p95(200)), 2, 2, window(19, 1.9, 0, 900, 990));
        AppView twenty = app(SONGS, spec(p95(200)), 2, 2, window(20, 2, 0, 900, 990));

        assertThat(scheduler.decide(view(nineteen))).isEmpty();
        assertThat(scheduler.decide(view(twenty)))
                .extracting(ScaleDecision::replicas)
                .containsExactly(3);
    }

    @Test
    void anAppWithAnEmptyWindowIsLeftAlone() {
        AppView idle = new AppView(SONGS, spec(p95(200)), 3, 3, WindowMetrics.empty(10), List.of());

        assertThat(scheduler.decide(view(idle))).isEmpty();
    }

    @Test
    void aConfiguredMinimumOfSpansIsUsed() {
        ThresholdScheduler patient = new ThresholdScheduler(new ThresholdConfig(200, 0.5, OptionalDouble.empty()));

        assertThat(patient.decide(view(app(SONGS, spec(p95(200)), 2, 2, window(199, 20, 0, 900, 990)))))
                .isEmpty();
        assertThat(patient.decide(view(app(SONGS, spec(p95(200)), 2, 2, window(200, 20, 0, 900, 990)))))
                .hasSize(1);
    }

    // ---- each app alone ----

    @Test
    void aCallerThatOnlyWaitsOnItsSlowCalleeIsScaledAllTheSame() {
        // The baseline's known weakness: aggregator spends 5 ms of its 480 ms in itself and the rest waiting on songs,
        // yet it is the one over its target, so it is the one scaled; songs has no target and is not.
        AppView aggregator = new AppView(
                AGGREGATOR,
                spec(p95(200)),
                2,
                2,
                new WindowMetrics(10, 200, 20, 0, 300, 480, 520, 5, 9.6),
                List.of(new EdgeMetrics(AGGREGATOR, SONGS, 20, 0, 470)));
        AppView songs =
                new AppView(SONGS, spec(), 1, 1, new WindowMetrics(10, 200, 20, 0, 290, 470, 510, 465, 9.4), List.of());

        assertThat(scheduler.decide(view(aggregator, songs)))
                .containsExactly(new ScaleDecision(AGGREGATOR, 3, "p95 480 ms > 200 ms target"));
    }

    @Test
    void aCalleeOverItsOwnTargetIsScaledAloneWhileItsWaitingCallerIsToo() {
        AppView aggregator = new AppView(
                AGGREGATOR,
                spec(p95(200)),
                2,
                2,
                new WindowMetrics(10, 200, 20, 0, 300, 480, 520, 5, 9.6),
                List.of(new EdgeMetrics(AGGREGATOR, SONGS, 20, 0, 470)));
        AppView songs = new AppView(
                SONGS, spec(p95(100)), 1, 1, new WindowMetrics(10, 200, 20, 0, 290, 470, 510, 465, 9.4), List.of());

        assertThat(scheduler.decide(view(aggregator, songs)))
                .containsExactly(
                        new ScaleDecision(AGGREGATOR, 3, "p95 480 ms > 200 ms target"),
                        new ScaleDecision(SONGS, 2, "p95 470 ms > 100 ms target"));
    }

    @Test
    void edgesDoNotChangeAnyDecision() {
        AppView withEdges = new AppView(
                AGGREGATOR,
                spec(p95(200)),
                3,
                3,
                new WindowMetrics(10, 200, 3, 0.5, 30, 40, 50, 1, 0.1),
                List.of(new EdgeMetrics(AGGREGATOR, SONGS, 3, 0.9, 5_000)));
        AppView withoutEdges = new AppView(withEdges.app(), withEdges.spec(), 3, 3, withEdges.metrics(), List.of());

        assertThat(new ThresholdScheduler(ThresholdConfig.defaults()).decide(view(withEdges)))
                .isEqualTo(new ThresholdScheduler(ThresholdConfig.defaults()).decide(view(withoutEdges)))
                .hasSize(1);
    }

    // ---- helpers ----

    private static ClusterView view(AppView... apps) {
        return Views.of(apps);
    }

    private static AppView app(AppRef ref, AppSpec spec, int replicas, int ready, WindowMetrics window) {
        return new AppView(ref, spec, replicas, ready, window, List.of());
    }

    /** A 10 s window with its spans, rate, error rate and percentiles; the rest is not read by the rule. */
    private static WindowMetrics window(long spans, double rate, double errorRate, double p95Ms, double p99Ms) {
        return new WindowMetrics(10, spans, rate, errorRate, p95Ms / 2, p95Ms, p99Ms, p95Ms / 2, rate * p95Ms / 2000);
    }

    private static AppSpec spec(QualityMetric... metrics) {
        return spec(null, null, metrics);
    }

    private static AppSpec spec(Integer min, Integer max, QualityMetric... metrics) {
        return Views.spec("app", min, max, metrics);
    }
}
