package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import emp.spi.app.Rollout;
import emp.spi.cluster.InstanceState;
import java.util.ArrayList;
import java.util.List;

/**
 * The next step towards an app running its wanted count of replicas of its current launch plan: which replicas to
 * stop, and how many new ones to start. Replicas of an older plan keep serving until enough of the current plan are
 * ready to take their place, as the spec's {@code rollout} allows: at most {@code max_surge} replicas beyond the
 * wanted count run, and at most {@code max_unavailable} fewer serve. So a new plan that never becomes ready leaves the
 * old replicas serving.
 *
 * <p>A pure function of what the app wants and what it runs (no processes, clock or I/O), taken again whenever either
 * changes: a deploy or scale, a replica that becomes ready, exits or is gone.
 *
 * @param stop  the ids of the replicas to stop, in the order to stop them
 * @param start how many new replicas of the current plan to start
 */
record RolloutStep(List<String> stop, int start) {
    RolloutStep {
        stop = List.copyOf(stop);
        if (start < 0) {
            throw new IllegalArgumentException("start is negative: " + start);
        }
    }

    /**
     * One replica as the rollout sees it.
     *
     * @param fingerprint the fingerprint of the launch plan it runs
     */
    record Member(String id, String fingerprint, InstanceState state) {
        Member {
            requireNonNull(id, "id is null");
            requireNonNull(fingerprint, "fingerprint is null");
            requireNonNull(state, "state is null");
        }
    }

    /**
     * @param desired     the wanted replica count
     * @param fingerprint the current plan's fingerprint; null when none is known, and then every replica is of an
     *                    older plan
     * @param canStart    whether replicas can be started: false for an app adopted from an earlier run and not
     *                    deployed since, whose plan is not known
     * @param rollout     the spec's {@code rollout}
     * @param replicas    the app's replicas, oldest first; those stopping already count for nothing
     */
    static RolloutStep next(int desired, String fingerprint, boolean canStart, Rollout rollout, List<Member> replicas) {
        List<Member> current = new ArrayList<>();
        List<Member> old = new ArrayList<>();
        for (Member replica : replicas) {
            if (replica.state() != InstanceState.STOPPING) {
                (replica.fingerprint().equals(fingerprint) ? current : old).add(replica);
            }
        }
        List<String> stop = new ArrayList<>();
        while (current.size() > desired) {
            // Newest first: the oldest replicas have proven themselves.
            stop.add(current.remove(current.size() - 1).id());
        }
        long ready = current.stream()
                .filter(replica -> replica.state() == InstanceState.READY)
                .count();
        // Old replicas that serve stay until new ones are ready in their place, less the spec's max_unavailable.
        long keep = Math.max(0, desired - rollout.unavailable(desired) - ready);
        int kept = 0;
        for (Member replica : old) {
            if (kept < keep && replica.state() == InstanceState.READY) {
                kept++;
            } else {
                stop.add(replica.id());
            }
        }
        if (!canStart) {
            return new RolloutStep(stop, 0);
        }
        // While old replicas serve, at most max_surge more than wanted run.
        long room = kept == 0 ? desired : Math.min(desired, (long) desired + rollout.surge(desired) - kept);
        return new RolloutStep(stop, (int) Math.max(0, room - current.size()));
    }
}
