package emp.scheduler.tracegraph;

/**
 * Which way an app's self time has moved over the last ticks at its current replica count.
 *
 * <p>Under an open-loop load that its replicas cannot keep up with, an app's backlog grows, and the self time of
 * the requests it finishes grows with it, by {@code arrival / service - 1} seconds each second. The growth so reads
 * the overload that the rate of finished requests cannot show: a saturated app finishes only as many requests as it
 * can serve, however many arrive.
 *
 * @param direction       which way it moved over the last ticks
 * @param growthPerSecond seconds of self time gained per second over those ticks; 0 when steady or unknown
 */
record SelfTimeTrend(Direction direction, double growthPerSecond) {
    static final SelfTimeTrend UNKNOWN = new SelfTimeTrend(Direction.UNKNOWN, 0);
    static final SelfTimeTrend STEADY = new SelfTimeTrend(Direction.STEADY, 0);

    enum Direction {
        /** Too few ticks at the current replica count. */
        UNKNOWN,
        /** Neither rising nor falling at each tick. */
        STEADY,
        /** Rose at the last tick only: a step in cost, or a backlog starting; the next tick tells. */
        STARTS_TO_RISE,
        /** Rose at each of the last ticks: a growing backlog. */
        RISING,
        /** Fell at each of the last ticks, or fast at the last one: a draining backlog. */
        FALLING
    }

    /** Whether the backlog grows at least {@code minGrowth} seconds per second: the app is saturated. */
    boolean saturated(double minGrowth) {
        return direction == Direction.RISING && growthPerSecond >= minGrowth;
    }

    /** Whether the backlog drains: the replicas serve faster than requests arrive. */
    boolean draining() {
        return direction == Direction.FALLING;
    }
}
