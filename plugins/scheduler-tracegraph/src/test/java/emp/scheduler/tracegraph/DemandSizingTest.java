package emp.scheduler.tracegraph;

import static emp.tck.scheduler.Views.calling;
import static emp.tck.scheduler.Views.load;
import static emp.tck.scheduler.Views.ref;
import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LoadSecond;
import emp.spi.scheduler.ScaleDecision;
import emp.tck.scheduler.Views;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sizing of apps the cluster measures, on hand-built views with known answers. */
class DemandSizingTest {
    private final TraceGraphScheduler scheduler = new TraceGraphScheduler(TraceGraphConfig.defaults());

    /** 36 a second arrive at a serial leaf that completes 20 a second at 50 ms each; a second's worth waits. */
    private static final LoadFigures SATURATED_LEAF = load(10, 36, 20, 36, 50, 1);

    @Test
    void aSaturatedSerialAppWithABacklogGetsWhatItsDemandNeedsNotItsMax() {
        List<ScaleDecision> decisions = scheduler.decide(
                Views.at(0).app(calling("leaf", 1, 8), 1, SATURATED_LEAF).build());

        assertThat(decisions).singleElement().satisfies(decision -> {
            assertThat(decision.app()).isEqualTo(ref("leaf"));
            assertThat(decision.replicas()).isEqualTo(3);
            assertThat(decision.reason())
                    .contains(
                            "36 requests wait in the gateway (the oldest 1800 ms)",
                            "demand 36 rps + 3.6 rps to clear the 36 waiting in 10 s",
                            "capacity 20 rps per replica as measured while saturated",
                            "ceil(39.6 / (20 x 0.7)) = 3 replicas; 1 -> 3");
        });
    }

    @Test
    void aSaturatedCallerThatWaitsOnASaturatedDependencyIsLeftAlone() {
        List<ScaleDecision> decisions = scheduler.decide(Views.at(0)
                .app(calling("front", 1, 8, "leaf"), 1, load(10, 36, 20, 30, 900, 4))
                .app(calling("leaf", 1, 8), 1, SATURATED_LEAF)
                .build());

        assertThat(decisions).extracting(ScaleDecision::app).containsExactly(ref("leaf"));
    }

    @Test
    void theDemandHeldBackInACallersLineCountsForItsDependency() {
        // 25 a second arrive at the front, which calls the leaf twice per request; with its four slots all waiting on
        // the leaf, it sends only 29 a second, and 20 of its requests wait in its line.
        List<ScaleDecision> decisions = scheduler.decide(Views.at(0)
                .app(calling("front", 1, 8, "leaf"), 1, Views.metrics(14.5, 5, 900), load(10, 25, 14, 20, 900, 4))
                .app(calling("leaf", 1, 8), 1, load(10, 29, 29, 2, 30, 1))
                .edge("front", "leaf", 29, 300)
                .build());

        assertThat(decisions).singleElement().satisfies(decision -> {
            assertThat(decision.app()).isEqualTo(ref("leaf"));
            // (25 x 2 + (2 + 20 x 2) / 10) / (29 x 0.7) = 2.67; by its own arrivals alone it would be 2.
            assertThat(decision.replicas()).isEqualTo(3);
            assertThat(decision.reason())
                    .contains(
                            "demand 50 rps (29 arrive; front's 25 rps x 2 calls each)",
                            "+ 4.2 rps to clear the 42 waiting here and in its callers' lines in 10 s",
                            "ceil(54.2 / (29 x 0.7)) = 3 replicas; 1 -> 3");
        });
    }

    @Test
    void callersDemandsAddUpAndACycleEnds() {
        // Two callers that keep up, each sending the leaf one call per request; the leaf also calls one of them back.
        List<ScaleDecision> decisions = scheduler.decide(Views.at(0)
                .app(calling("a", 1, 8, "leaf"), 1, Views.metrics(10, 5, 900), load(10, 20, 20, 0, 900, 20))
                .app(calling("b", 1, 8, "leaf"), 1, Views.metrics(10, 5, 900), load(10, 20, 20, 0, 900, 20))
                .app(calling("leaf", 1, 8), 1, Views.metrics(20, 5, 50), load(10, 20, 20, 1, 50, 1))
                .edge("a", "leaf", 10, 300)
                .edge("b", "leaf", 10, 300)
                .edge("leaf", "a", 20, 10)
                .build());

        assertThat(decisions).singleElement().satisfies(decision -> {
            assertThat(decision.app()).isEqualTo(ref("leaf"));
            // (20 + 20 + 0.1) / (20 x 0.7) = 2.86.
            assertThat(decision.replicas()).isEqualTo(3);
            assertThat(decision.reason())
                    .contains("demand 40 rps (20 arrive; a's 20 rps x 1 call each + b's 20 rps x 1 call each)");
        });
    }

    @Test
    void aSaturatedCallerWhoseDependencySlowedDownIsLeftAlone() {
        // The leaf's requests began to queue inside it: 50 ms each for a minute, 400 ms in the last two seconds.
        List<LoadSecond> seconds =
                new ArrayList<>(load(LoadFigures.MAX_SECONDS, 10, 10, 0, 50, 20).seconds());
        for (int i = seconds.size() - DemandSizing.FAST; i < seconds.size(); i++) {
            seconds.set(i, new LoadSecond(30, 20, 0, 8, 0, 400));
        }
        LoadFigures slowed = new LoadFigures(seconds, 8, 0, 0, 20, true);

        List<ScaleDecision> decisions = scheduler.decide(Views.at(0)
                .app(calling("front", 1, 8, "leaf"), 1, load(10, 30, 20, 11, 500, 4))
                .app(calling("leaf", 1, 8), 1, slowed)
                .build());

        assertThat(decisions).isEmpty();
    }

    @Test
    void aCallerIsLeftAloneWhileItsLineClearsAfterItsDependencyCaughtUp() {
        scheduler.decide(Views.at(0)
                .app(calling("front", 1, 8, "leaf"), 1, load(10, 36, 20, 30, 900, 4))
                .app(calling("leaf", 1, 8), 1, SATURATED_LEAF)
                .build());
        LoadFigures caughtUp = load(10, 36, 36, 0, 50, 2);

        assertThat(scheduler.decide(Views.at(5)
                        .app(calling("front", 1, 8, "leaf"), 1, load(10, 36, 20, 30, 900, 4))
                        .app(calling("leaf", 1, 8), 3, caughtUp)
                        .build()))
                .isEmpty();
        assertThat(scheduler.decide(Views.at(11)
                        .app(calling("front", 1, 8, "leaf"), 1, load(10, 36, 20, 30, 900, 4))
                        .app(calling("leaf", 1, 8), 3, caughtUp)
                        .build()))
                .extracting(ScaleDecision::app)
                .containsExactly(ref("front"));
    }

    @Test
    void aSaturatedCallerWhoseDependencyIsShortOfReadyReplicasIsLeftAloneUntilItsLineClears() {
        // One of the leaf's two replicas restarts: the front's slots fill with requests waiting on the other.
        LoadFigures leaf = load(10, 40, 40, 0, 10, 20);
        assertThat(scheduler.decide(Views.at(0)
                        .app(calling("front", 1, 8, "leaf"), 1, load(10, 40, 20, 30, 100, 2))
                        .app(calling("leaf", 1, 8), 2, 1, leaf)
                        .build()))
                .isEmpty();
        assertThat(scheduler.decide(Views.at(5)
                        .app(calling("front", 1, 8, "leaf"), 1, load(10, 40, 20, 30, 100, 2))
                        .app(calling("leaf", 1, 8), 2, leaf)
                        .build()))
                .as("the front's line clears for 10 s after the leaf is whole again")
                .isEmpty();
        assertThat(scheduler.decide(Views.at(11)
                        .app(calling("front", 1, 8, "leaf"), 1, load(10, 40, 20, 30, 100, 2))
                        .app(calling("leaf", 1, 8), 2, leaf)
                        .build()))
                .extracting(ScaleDecision::app)
                .containsExactly(ref("front"));
    }

    @Test
    void aSaturatedCallerWhoseDependencyKeepsUpIsScaled() {
        List<ScaleDecision> decisions = scheduler.decide(Views.at(0)
                .app(calling("front", 1, 8, "leaf"), 1, load(10, 40, 20, 30, 100, 2))
                .app(calling("leaf", 1, 8), 2, load(10, 40, 40, 0, 10, 20))
                .build());

        assertThat(decisions).singleElement().satisfies(decision -> {
            assertThat(decision.app()).isEqualTo(ref("front"));
            assertThat(decision.replicas()).isEqualTo(4);
        });
    }

    @Test
    void anAppThatTouchesItsLimitInABurstButCarriesItsDemandUnderTheBandIsNotScaledUp() {
        // 24 a second on a replica that completes 34 at its limit of 2: 0.71 of it, over the 0.7 target, under 0.85.
        LoadFigures burst = load(10, 24, 34, 0, 84, 2);
        assertThat(DemandSizing.saturated(Views.at(0)
                        .app(calling("leaf", 1, 8), 1, burst)
                        .build()
                        .apps()
                        .get(ref("leaf"))))
                .as("the burst counts as saturated")
                .isTrue();

        assertThat(scheduler.decide(
                        Views.at(0).app(calling("leaf", 1, 8), 1, burst).build()))
                .isEmpty();
        assertThat(scheduler.decide(Views.at(3)
                        .app(calling("leaf", 1, 8), 1, load(10, 30, 34, 0, 84, 2))
                        .build()))
                .as("30 a second is 0.88 of it: past the band")
                .singleElement()
                .satisfies(decision -> assertThat(decision.replicas()).isEqualTo(2));
    }

    @Test
    void anAppThatKeepsUpIsNotScaledUp() {
        List<ScaleDecision> decisions = scheduler.decide(Views.at(0)
                .app(calling("leaf", 1, 8), 2, load(10, 36, 36, 0, 50, 2))
                .build());

        assertThat(decisions).isEmpty();
    }

    @Test
    void scaleUpStopsAtMax() {
        List<ScaleDecision> decisions = scheduler.decide(
                Views.at(0).app(calling("leaf", 1, 2), 1, SATURATED_LEAF).build());

        assertThat(decisions).singleElement().satisfies(decision -> {
            assertThat(decision.replicas()).isEqualTo(2);
            assertThat(decision.reason()).contains("capped at max 2");
        });
    }

    @Test
    void afterTheStableWindowScaleDownGoesToTheNeededCountInOneStep() {
        scheduler.decide(Views.at(0)
                .app(calling("leaf", 1, 8), 5, load(10, 150, 100, 50, 50, 1))
                .build());
        LoadFigures calm = load(LoadFigures.MAX_SECONDS, 10, 10, 0, 50, 1);

        for (int second = 1; second < LoadFigures.MAX_SECONDS; second++) {
            assertThat(scheduler.decide(
                            Views.at(second).app(calling("leaf", 1, 8), 5, calm).build()))
                    .as("second %d of the stable window", second)
                    .isEmpty();
        }
        List<ScaleDecision> decisions = scheduler.decide(Views.at(LoadFigures.MAX_SECONDS)
                .app(calling("leaf", 1, 8), 5, calm)
                .build());

        assertThat(decisions).singleElement().satisfies(decision -> {
            assertThat(decision.replicas()).isEqualTo(1);
            assertThat(decision.reason())
                    .contains(
                            "it kept up for 60 s (no request waited in the gateway, its replicas below their limit)",
                            "capacity 20 rps per replica as measured while saturated",
                            "ceil(10 / (20 x 0.7)) = 1 replica; 5 -> 1 in one step");
        });
    }

    @Test
    void scaleDownHoldsTheBusiestBlockOfTheWindowAndTheMin() {
        scheduler.decide(Views.at(0)
                .app(calling("leaf", 2, 8), 6, load(10, 150, 120, 50, 50, 1))
                .build());
        // 10 a second, but 50 a second through one five-second block of the window: ceil(50 / (20 x 0.7)) = 4.
        List<LoadSecond> seconds =
                new ArrayList<>(load(LoadFigures.MAX_SECONDS, 10, 10, 0, 50, 1).seconds());
        for (int i = 20; i < 25; i++) {
            seconds.set(i, new LoadSecond(50, 50, 0, 1, 0, 50));
        }
        LoadFigures burst = new LoadFigures(seconds, 1, 0, 0, 1, false);
        LoadFigures calm = load(LoadFigures.MAX_SECONDS, 10, 10, 0, 50, 1);

        assertThat(scheduler.decide(
                        Views.at(61).app(calling("leaf", 2, 8), 6, burst).build()))
                .singleElement()
                .satisfies(decision -> assertThat(decision.replicas()).isEqualTo(4));
        assertThat(scheduler.decide(
                        Views.at(62).app(calling("leaf", 2, 8), 6, calm).build()))
                .singleElement()
                .satisfies(decision -> {
                    assertThat(decision.replicas()).isEqualTo(2);
                    assertThat(decision.reason()).contains("raised to min 2");
                });
    }

    @Test
    void scaleDownWaitsForTheLoadBeforeTheDropToLeaveTheWindowThenGoesAllTheWay() {
        scheduler.decide(Views.at(0)
                .app(calling("leaf", 1, 8), 5, load(10, 150, 100, 50, 50, 1))
                .build());
        // The window's oldest five seconds are from before the drop: 30 a second, then 10.
        List<LoadSecond> seconds =
                new ArrayList<>(load(LoadFigures.MAX_SECONDS, 10, 10, 0, 50, 1).seconds());
        for (int i = 0; i < DemandSizing.BLOCK; i++) {
            seconds.set(i, new LoadSecond(30, 30, 0, 1, 0, 50));
        }
        LoadFigures leaving = new LoadFigures(seconds, 1, 0, 0, 1, false);

        assertThat(scheduler.decide(
                        Views.at(61).app(calling("leaf", 1, 8), 5, leaving).build()))
                .isEmpty();
        assertThat(scheduler.decide(Views.at(66)
                        .app(calling("leaf", 1, 8), 5, load(LoadFigures.MAX_SECONDS, 10, 10, 0, 50, 1))
                        .build()))
                .singleElement()
                .satisfies(decision -> assertThat(decision.replicas()).isEqualTo(1));
    }

    @Test
    void withoutAMeasuredCapacityAReplicaIsTakenToServeOneRequestAtATime() {
        scheduler.decide(Views.at(0)
                .app(calling("leaf", 1, 8), 4, load(10, 10, 10, 0, 100, 20))
                .build());

        List<ScaleDecision> decisions = scheduler.decide(Views.at(LoadFigures.MAX_SECONDS + 1)
                .app(calling("leaf", 1, 8), 4, load(LoadFigures.MAX_SECONDS, 10, 10, 0, 100, 20))
                .build());

        // 10 a second at 100 ms, one at a time: 10 rps per replica, so ceil(10 / (10 x 0.7)) = 2.
        assertThat(decisions).singleElement().satisfies(decision -> {
            assertThat(decision.replicas()).isEqualTo(2);
            assertThat(decision.reason()).contains("no capacity measured yet, so 1 at a time at 100 ms each");
        });
    }
}
