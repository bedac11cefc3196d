package emp.cluster.local;

import static emp.spi.cluster.InstanceState.CRASHED;
import static emp.spi.cluster.InstanceState.READY;
import static emp.spi.cluster.InstanceState.STARTING;
import static emp.spi.cluster.InstanceState.STOPPING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.cluster.local.RolloutStep.Member;
import emp.spi.app.Rollout;
import emp.spi.cluster.InstanceState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the local cluster does next for an app, from what it wants and what it runs: scaling, rollouts within
 * {@code max_surge} and {@code max_unavailable}, crashed, stuck and stopping replicas.
 */
class RolloutStepTest {
    private static final String OLD = "old-plan";
    private static final String NEW = "new-plan";
    /** One replica beyond the wanted count, none fewer serving. */
    private static final Rollout SURGE_ONE = new Rollout("1", "0");

    @Test
    void anAppWithNoReplicasWantedAndNoneRunningDoesNothing() {
        assertThat(step(0, NEW, Rollout.DEFAULT, List.of())).isEqualTo(new RolloutStep(List.of(), 0));
    }

    @Test
    void scalingUpStartsTheMissingReplicas() {
        assertThat(step(3, NEW, Rollout.DEFAULT, List.of())).isEqualTo(new RolloutStep(List.of(), 3));
        assertThat(step(3, NEW, Rollout.DEFAULT, List.of(replica("a-1", NEW, READY))))
                .isEqualTo(new RolloutStep(List.of(), 2));
    }

    @Test
    void scalingDownStopsTheNewestReplicasFirst() {
        List<Member> three =
                List.of(replica("a-1", NEW, READY), replica("a-2", NEW, READY), replica("a-3", NEW, STARTING));

        assertThat(step(1, NEW, Rollout.DEFAULT, three)).isEqualTo(new RolloutStep(List.of("a-3", "a-2"), 0));
        assertThat(step(0, NEW, Rollout.DEFAULT, three)).isEqualTo(new RolloutStep(List.of("a-3", "a-2", "a-1"), 0));
        assertThat(step(3, NEW, Rollout.DEFAULT, three)).isEqualTo(new RolloutStep(List.of(), 0));
    }

    @Test
    void scalingDownDuringARolloutStopsTheNewestNewReplicasAndTheOldOnesOnceEnoughNewOnesServe() {
        List<Member> replicas = List.of(
                replica("a-1", OLD, READY),
                replica("a-2", OLD, READY),
                replica("a-3", NEW, READY),
                replica("a-4", NEW, STARTING));

        assertThat(step(1, NEW, SURGE_ONE, replicas)).isEqualTo(new RolloutStep(List.of("a-4", "a-1", "a-2"), 0));
    }

    @Test
    void aRolloutWithSurgeOneAndNoUnavailableReplacesOneReplicaAtATimeAndNeverServesWithFewer() {
        List<Member> replicas = new ArrayList<>(
                List.of(replica("a-1", OLD, READY), replica("a-2", OLD, READY), replica("a-3", OLD, READY)));

        RolloutStep first = step(3, NEW, SURGE_ONE, replicas);
        assertThat(first).as("one new replica beside the three old ones").isEqualTo(new RolloutStep(List.of(), 1));
        replicas.add(replica("a-4", NEW, STARTING));
        assertThat(step(3, NEW, SURGE_ONE, replicas))
                .as("while the new one starts, nothing more")
                .isEqualTo(new RolloutStep(List.of(), 0));

        replicas.set(3, replica("a-4", NEW, READY));
        assertThat(step(3, NEW, SURGE_ONE, replicas))
                .as("the new one ready: the newest old one goes, and the next new one starts")
                .isEqualTo(new RolloutStep(List.of("a-3"), 1));
    }

    @Test
    void aWholeRolloutEndsWithTheWantedReplicasOfTheNewPlanWithinItsSurgeAndUnavailability() {
        for (Rollout rollout : List.of(
                SURGE_ONE, Rollout.DEFAULT, new Rollout("0", "1"), new Rollout("2", "1"), new Rollout("100%", "0"))) {
            int desired = 4;
            List<Member> replicas = new ArrayList<>();
            for (int i = 1; i <= desired; i++) {
                replicas.add(replica("a-" + i, OLD, READY));
            }
            int next = desired + 1;
            for (int round = 0; round < 20; round++) {
                RolloutStep step = step(desired, NEW, rollout, replicas);
                replicas.removeIf(replica -> step.stop().contains(replica.id()));
                for (int i = 0; i < step.start(); i++) {
                    replicas.add(replica("a-" + next++, NEW, STARTING));
                }
                assertThat(replicas.size())
                        .as("%s: replicas running in round %d", rollout, round)
                        .isLessThanOrEqualTo(desired + rollout.surge(desired));
                assertThat(replicas.stream().filter(replica -> replica.state() == READY))
                        .as("%s: replicas serving in round %d", rollout, round)
                        .hasSizeGreaterThanOrEqualTo(desired - rollout.unavailable(desired));
                // The oldest new replica that is starting becomes ready before the next step.
                replicas.stream()
                        .filter(replica -> replica.state() == STARTING)
                        .findFirst()
                        .ifPresent(starting ->
                                replicas.set(replicas.indexOf(starting), replica(starting.id(), NEW, READY)));
            }
            assertThat(replicas).as("%s: at the end", rollout).hasSize(desired).allSatisfy(replica -> {
                assertThat(replica.fingerprint()).isEqualTo(NEW);
                assertThat(replica.state()).isEqualTo(READY);
            });
        }
    }

    @Test
    void aRolloutStuckOnANewReplicaThatNeverBecomesReadyKeepsTheOldOnesServing() {
        List<Member> replicas =
                List.of(replica("a-1", OLD, READY), replica("a-2", OLD, READY), replica("a-3", NEW, STARTING));
        assertThat(step(2, NEW, SURGE_ONE, replicas)).isEqualTo(new RolloutStep(List.of(), 0));

        List<Member> crashing =
                List.of(replica("a-1", OLD, READY), replica("a-2", OLD, READY), replica("a-3", NEW, CRASHED));
        assertThat(step(2, NEW, SURGE_ONE, crashing))
                .as("a new replica that keeps crashing is the supervisor's to restart; the rollout waits")
                .isEqualTo(new RolloutStep(List.of(), 0));
    }

    @Test
    void withMaxUnavailableOldReplicasGoBeforeNewOnesAreReady() {
        List<Member> replicas = List.of(replica("a-1", OLD, READY), replica("a-2", OLD, READY));

        assertThat(step(2, NEW, new Rollout("0", "1"), replicas)).isEqualTo(new RolloutStep(List.of("a-2"), 1));
        assertThat(step(2, NEW, new Rollout("0", "100%"), replicas))
                .isEqualTo(new RolloutStep(List.of("a-1", "a-2"), 2));
    }

    @Test
    void oldReplicasThatDoNotServeAreStoppedAtOnce() {
        List<Member> replicas =
                List.of(replica("a-1", OLD, CRASHED), replica("a-2", OLD, STARTING), replica("a-3", OLD, READY));

        assertThat(step(3, NEW, SURGE_ONE, replicas))
                .as("only the ready old replica is worth keeping until a new one takes its place")
                .isEqualTo(new RolloutStep(List.of("a-1", "a-2"), 3));
    }

    @Test
    void aCrashedReplicaOfTheCurrentPlanStillCountsAsOneOfTheWanted() {
        List<Member> replicas = List.of(replica("a-1", NEW, READY), replica("a-2", NEW, CRASHED));

        assertThat(step(2, NEW, Rollout.DEFAULT, replicas)).isEqualTo(new RolloutStep(List.of(), 0));
        assertThat(step(1, NEW, Rollout.DEFAULT, replicas))
                .as("scaled down, the crashed one is the newest")
                .isEqualTo(new RolloutStep(List.of("a-2"), 0));
    }

    @Test
    void replicasAlreadyStoppingCountForNothing() {
        List<Member> replicas = List.of(replica("a-1", NEW, STOPPING), replica("a-2", OLD, STOPPING));

        assertThat(step(1, NEW, Rollout.DEFAULT, replicas))
                .as("a replacement starts, and nothing is stopped twice")
                .isEqualTo(new RolloutStep(List.of(), 1));
        assertThat(step(0, NEW, Rollout.DEFAULT, replicas)).isEqualTo(new RolloutStep(List.of(), 0));
    }

    @Test
    void anAppWhosePlanIsNotKnownStartsNothingButStillScalesDown() {
        List<Member> adopted = List.of(replica("a-1", OLD, READY), replica("a-2", OLD, READY));

        assertThat(RolloutStep.next(3, OLD, false, Rollout.DEFAULT, adopted)).isEqualTo(new RolloutStep(List.of(), 0));
        assertThat(RolloutStep.next(1, OLD, false, Rollout.DEFAULT, adopted))
                .isEqualTo(new RolloutStep(List.of("a-2"), 0));
        assertThat(RolloutStep.next(1, null, false, Rollout.DEFAULT, adopted))
                .as("with no plan recorded every replica is old: the first ready ones stay")
                .isEqualTo(new RolloutStep(List.of("a-2"), 0));
    }

    @Test
    void aStepNeverStartsANegativeCount() {
        assertThatThrownBy(() -> new RolloutStep(List.of(), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static RolloutStep step(int desired, String fingerprint, Rollout rollout, List<Member> replicas) {
        return RolloutStep.next(desired, fingerprint, true, rollout, replicas);
    }

    private static Member replica(String id, String fingerprint, InstanceState state) {
        return new Member(id, fingerprint, state);
    }
}
