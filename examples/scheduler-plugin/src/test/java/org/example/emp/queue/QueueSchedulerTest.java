package org.example.emp.queue;

import static emp.tck.scheduler.Views.load;
import static emp.tck.scheduler.Views.metrics;
import static emp.tck.scheduler.Views.noData;
import static emp.tck.scheduler.Views.p95;
import static emp.tck.scheduler.Views.ref;
import static emp.tck.scheduler.Views.spec;
import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.scheduler.ClusterView;
import emp.spi.scheduler.ScaleDecision;
import emp.tck.scheduler.Views;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The queue model on hand-built views ({@link Views}): what it asks for, and the reason a person reads in
 * {@code emp events}. The load figures are the local cluster's: {@code load(seconds, arrivals, completions, queued,
 * serviceMs, limit)} per second.
 */
class QueueSchedulerTest {
    private final QueueScheduler scheduler = new QueueScheduler(QueueSchedulerFactory.DEFAULT_UTILIZATION);

    @Test
    void sizesAnAppByLittlesLawFromTheClustersFigures() {
        // 30 rps x 50 ms = 1.5 requests in service; one at a time per replica, 70 % busy: 1.5 / 0.7 = 2.1, so 3.
        ClusterView view =
                Views.at(0).app(spec("leaf"), 1, load(10, 30, 30, 0, 50, 1)).build();

        assertThat(scheduler.decide(view))
                .containsExactly(new ScaleDecision(
                        ref("leaf"),
                        3,
                        "30 rps x 50 ms = 1.5 requests in service (Little's law, from the cluster's figures of the"
                                + " last 10 s); 1 at a time per replica, each at most 70% busy"
                                + " (scheduler.queue.utilization): ceil(1.5 / (1 x 0.7)) = 3"));
    }

    @Test
    void aTightLatencyTargetKeepsReplicasLessBusy() {
        // p95 of an M/M/1 slot = 3.0 x 50 ms / (1 - ρ) <= 200 ms when ρ <= 0.25: 1.5 / 0.25 = 6 replicas.
        ClusterView tight = Views.at(0)
                .app(spec("leaf", p95(200)), 1, load(10, 30, 30, 0, 50, 1))
                .build();
        // A target the app's own time alone nearly misses (3.0 x 50 ms > 100 ms) is out of reach of replicas: left
        // out of the plan, which stays at 70 %, rather than bought with idle replicas.
        ClusterView unreachable = Views.at(0)
                .app(spec("leaf", p95(100)), 1, load(10, 30, 30, 0, 50, 1))
                .build();
        // A loose one changes nothing: 1 - 3.0 x 50 / 1000 = 0.85 is over the planned 0.7.
        ClusterView loose = Views.at(0)
                .app(spec("leaf", p95(1000)), 1, load(10, 30, 30, 0, 50, 1))
                .build();

        assertThat(only(scheduler.decide(tight)).replicas()).isEqualTo(6);
        assertThat(only(scheduler.decide(tight)).reason())
                .contains("each at most 25% busy for the p95 target of 200 ms (1 - 3 x 50 ms of own time / 200 ms)");
        assertThat(only(scheduler.decide(unreachable)).replicas()).isEqualTo(3);
        assertThat(only(scheduler.decide(unreachable)).reason())
                .contains("each at most 70% busy (scheduler.queue.utilization); the p95 target of 100 ms is within 3"
                        + " x 50 ms of own time, out of reach of more replicas: ceil(1.5 / (1 x 0.7)) = 3");
        assertThat(only(scheduler.decide(loose)).replicas()).isEqualTo(3);
    }

    @Test
    void aCallerIsNotSizedForTheTimeItWaitsOnTheAppsItCalls() {
        // 50 rps x 40 ms at the replica (a slot is held while it waits on its callee): 2 in service. Its own time is
        // 5 ms (the spans' self time): 1 - 3.0 x 5 / 200 = 0.93, so the planned 70 % stands: 2 / 0.7 = 2.9, 3.
        ClusterView withSpans = Views.at(0)
                .app(spec("front", p95(200)), 1, metrics(50, 5, 150), load(10, 50, 50, 0, 40, 1))
                .build();
        // Without spans its 40 ms are all its own: 1 - 3.0 x 40 / 200 = 0.4, 2 / 0.4 = 5.
        ClusterView withoutSpans = Views.at(0)
                .app(spec("front", p95(200)), 1, load(10, 50, 50, 0, 40, 1))
                .build();

        assertThat(only(scheduler.decide(withSpans)).replicas()).isEqualTo(3);
        assertThat(only(scheduler.decide(withSpans)).reason())
                .contains("each at most 70% busy (scheduler.queue.utilization): ceil(2 / (1 x 0.7)) = 3");
        assertThat(only(scheduler.decide(withoutSpans)).replicas()).isEqualTo(5);
        assertThat(only(scheduler.decide(withoutSpans)).reason())
                .contains("each at most 40% busy for the p95 target of 200 ms (1 - 3 x 40 ms of own time / 200 ms)");
    }

    @Test
    void requestsWaitingNowAreClearedWithinTenSeconds() {
        // 30 rps + 150 waiting / 10 s = 45 rps; 45 x 50 ms = 2.25 in service; / 0.7 = 3.2, so 4 (3 without the line).
        ClusterView view =
                Views.at(0).app(spec("leaf"), 1, load(10, 30, 30, 150, 50, 1)).build();

        ScaleDecision decision = only(scheduler.decide(view));

        assertThat(decision.replicas()).isEqualTo(4);
        assertThat(decision.reason()).startsWith("45 rps (with 150 waiting, cleared in 10 s) x 50 ms = 2.25");
    }

    @Test
    void scalesDownOnlyWhenAFifthMoreWorkWouldStillFit() {
        // 3 replicas at 30 rps: 2.1 are needed, but 2.1 x 1.2 = 2.6 are not fewer than 3: no change.
        ClusterView near =
                Views.at(0).app(spec("leaf"), 3, load(10, 30, 30, 0, 50, 1)).build();
        // At 20 rps: 1.4 needed, 1.7 with the margin: 2.
        ClusterView lighter =
                Views.at(0).app(spec("leaf"), 3, load(10, 20, 20, 0, 50, 1)).build();

        assertThat(scheduler.decide(near)).isEmpty();
        assertThat(scheduler.decide(lighter)).singleElement().satisfies(decision -> {
            assertThat(decision.replicas()).isEqualTo(2);
            assertThat(decision.reason()).endsWith("with 20% to spare, ceil(1 x 1.2 / (1 x 0.7)) = 2");
        });
    }

    @Test
    void neverScalesDownAnAppThatMissesItsLatencyTarget() {
        // From the spans: 10 rps x 20 ms self time needs one replica of the four, whatever its p95.
        ClusterView missing = Views.at(0)
                .app(spec("front", p95(200)), 4, metrics(10, 20, 900))
                .build();
        ClusterView meeting = Views.at(0)
                .app(spec("front", p95(200)), 4, metrics(10, 20, 150))
                .build();

        assertThat(scheduler.decide(missing))
                .as("p95 900 ms > its 200 ms target")
                .isEmpty();
        assertThat(scheduler.decide(meeting)).singleElement().satisfies(decision -> {
            assertThat(decision.replicas()).isEqualTo(1);
            assertThat(decision.reason()).contains("from the spans of the last 10 s, self time");
        });
    }

    @Test
    void keepsEachAppWithinItsBounds() {
        ClusterView view = Views.at(0)
                .app(spec("hot", 2, 4, p95(200)), 2, metrics(40, 1500, 2000))
                .app(spec("calm", 3, 6, p95(200)), 5, metrics(1, 5, 10))
                .app(spec("scaled-to-zero", 0, 4), 2, load(10, 0, 0, 0, 0, 1))
                .build();

        assertThat(scheduler.decide(view))
                .extracting(ScaleDecision::app, ScaleDecision::replicas)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ref("calm"), 3),
                        org.assertj.core.groups.Tuple.tuple(ref("hot"), 4),
                        org.assertj.core.groups.Tuple.tuple(ref("scaled-to-zero"), 1));
        assertThat(scheduler.decide(view))
                .extracting(ScaleDecision::reason)
                .satisfiesExactly(
                        calm -> assertThat(calm).endsWith(", raised to min_replicas 3"),
                        hot -> assertThat(hot).endsWith(", held to max_replicas 4"),
                        idle -> assertThat(idle).startsWith("0 rps x 0 ms = 0 requests in service"));
    }

    @Test
    void leavesAloneAnAppWithNothingToSizeFrom() {
        ClusterView view = Views.at(0)
                .app(spec("no-figures", p95(200)), 2, noData())
                .app(spec("stopped", 0, 4), 0, load(10, 30, 30, 0, 50, 1))
                // Requests arrive, none completes, and no span says what one costs.
                .app(spec("stuck"), 2, load(10, 30, 0, 40, 0, 1))
                .build();

        assertThat(scheduler.decide(view)).isEmpty();
    }

    private static ScaleDecision only(List<ScaleDecision> decisions) {
        assertThat(decisions).hasSize(1);
        return decisions.get(0);
    }
}
