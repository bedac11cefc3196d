package emp.cluster.sim;

import static java.util.Objects.requireNonNull;

import emp.spi.cluster.InstanceState;

/**
 * One simulated replica: a few fields, no thread, no process. It is pending while {@link #node} is null, and otherwise
 * holds its release's demand on that node until it is gone. Guarded by the cluster's lock.
 */
final class SimReplica {
    final SimApp app;
    /** Its number within its app: its id is {@code <app>-<index>}. */
    final int index;
    /** What it runs; compared by reference with its app's current release. */
    final Release release;

    /** Where it is placed; null while it waits for room. */
    NodePool.Node node;

    InstanceState state = InstanceState.STARTING;
    /** When it entered its state, in epoch milliseconds. */
    long sinceMillis;
    /** Why it is in its state, when that is more than the state says (pending, crashed); else null. */
    String message;

    int restarts;
    /** Crashes since it was last ready: the exponent of its restart back-off. */
    int crashesInARow;
    /** How long its current start takes, as drawn. */
    long latencyMillis;
    /** Whether its current start ends in a crash, as drawn. */
    boolean crashes;
    /**
     * Counts its changes of state; a timer set for one state carries the count then, and does nothing when it fires
     * after another change, so timers are never cancelled.
     */
    int epoch;

    SimReplica(SimApp app, int index, Release release, long sinceMillis) {
        this.app = requireNonNull(app, "app is null");
        this.index = index;
        this.release = requireNonNull(release, "release is null");
        this.sinceMillis = sinceMillis;
    }

    /** {@code <app>-<index>}, e.g. {@code hello-2}; made when asked for, so no replica holds a string of its own. */
    String id() {
        return app.ref.name() + "-" + index;
    }

    boolean placed() {
        return node != null;
    }

    /** Whether it runs what an earlier deploy of its app asked for. */
    boolean outdated() {
        return release != app.release;
    }

    /** Enters {@code newState} now, which voids the timers set before. */
    void enter(InstanceState newState, long nowMillis, String newMessage) {
        state = newState;
        sinceMillis = nowMillis;
        message = newMessage;
        epoch++;
    }
}
