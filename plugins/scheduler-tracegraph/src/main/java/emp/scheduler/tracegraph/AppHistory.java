package emp.scheduler.tracegraph;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * What the scheduler remembers of one app between ticks: a bounded series of (requests in flight per replica, self
 * time) pairs, one per tick whose window was measured at a steady replica count, from which its baseline self time
 * and its knee are learned; when its replica count last changed; and since when it has been comfortably within its
 * targets. Not thread-safe: the scheduler holds its lock.
 */
final class AppHistory {
    /** The most pairs kept per app, whatever the tick rate: the bound on memory. */
    static final int MAX_SAMPLES = 1000;

    /** The most self times kept for the trend: enough for a trend window of a minute at 1 tick a second. */
    static final int MAX_TREND_POINTS = 64;

    private final Deque<Sample> samples = new ArrayDeque<>();
    /** The self time at each tick with data since the replica count last changed, newest last. */
    private final Deque<Point> trend = new ArrayDeque<>();

    private int replicas = -1;
    /** When the replica count last changed; null when it has not changed since the app was first seen. */
    private Instant replicasChanged;

    private Instant comfortableSince;

    /** Notes the replica count the app has at this tick. */
    void seen(int replicaCount, Instant now) {
        if (replicas >= 0 && replicaCount != replicas) {
            replicasChanged = now;
            comfortableSince = null;
            trend.clear();
        }
        replicas = replicaCount;
    }

    /**
     * Whether the replica count has not changed for {@code duration}. An app is taken as steady when first seen: the
     * scheduler cannot know better, and waiting would only delay the first decision.
     */
    boolean stableFor(Instant now, Duration duration) {
        return replicasChanged == null || !now.isBefore(replicasChanged.plus(duration));
    }

    /** Keeps one pair; a pair without load or without self time says nothing of the knee and is not kept. */
    void record(Instant time, double inFlightPerReplica, double selfMs) {
        if (!(inFlightPerReplica > 0 && selfMs > 0) || !Double.isFinite(inFlightPerReplica + selfMs)) {
            return;
        }
        samples.addLast(new Sample(time, inFlightPerReplica, selfMs));
        while (samples.size() > MAX_SAMPLES) {
            samples.removeFirst();
        }
    }

    /** Notes the self time of this tick's window, for {@link #trend}. */
    void observed(Instant time, double selfMs) {
        if (!Double.isFinite(selfMs)) {
            return;
        }
        trend.addLast(new Point(time, selfMs));
        while (trend.size() > MAX_TREND_POINTS) {
            trend.removeFirst();
        }
    }

    /**
     * The trend of the last three self times noted within {@code window} before {@code now}, at the current replica
     * count: rising (or falling) when each rose (or fell) from the one before; starting to rise when only the last
     * rose, by at least {@code minGrowth} seconds per second; falling too when the last fell by as much. Three ticks, not more, so that a backlog is seen two ticks
     * after it starts to grow, and a single jump in cost is told from it one tick later. The replica count changing
     * starts the trend over, since the window then mixes two capacities.
     */
    SelfTimeTrend trend(Instant now, Duration window, double minGrowth) {
        List<Point> recent = trend.stream()
                .filter(point -> !point.time().isBefore(now.minus(window)))
                .toList();
        if (recent.size() < 2) {
            return SelfTimeTrend.UNKNOWN;
        }
        recent = recent.subList(Math.max(0, recent.size() - 3), recent.size());
        Point last = recent.get(recent.size() - 1);
        Point before = recent.get(recent.size() - 2);
        double lastStep = growth(before, last);
        if (recent.size() == 3) {
            Point first = recent.get(0);
            double firstStep = growth(first, before);
            if (firstStep > 0 && lastStep > 0) {
                return new SelfTimeTrend(SelfTimeTrend.Direction.RISING, growth(first, last));
            }
            if (firstStep < 0 && lastStep < 0) {
                return new SelfTimeTrend(SelfTimeTrend.Direction.FALLING, growth(first, last));
            }
        }
        if (lastStep >= minGrowth) {
            return new SelfTimeTrend(SelfTimeTrend.Direction.STARTS_TO_RISE, lastStep);
        }
        return lastStep <= -minGrowth
                ? new SelfTimeTrend(SelfTimeTrend.Direction.FALLING, lastStep)
                : SelfTimeTrend.STEADY;
    }

    /** Seconds of self time gained per second from one point to the next. */
    private static double growth(Point from, Point to) {
        double seconds = Duration.between(from.time(), to.time()).toMillis() / 1000.0;
        return seconds > 0 ? (to.selfMs() - from.selfMs()) / 1000 / seconds : 0;
    }

    /** Whether the replica count changed less than {@code duration} ago. */
    boolean changedWithin(Instant now, Duration duration) {
        return replicasChanged != null && now.isBefore(replicasChanged.plus(duration));
    }

    void forgetBefore(Instant cutoff) {
        while (!samples.isEmpty() && samples.peekFirst().time().isBefore(cutoff)) {
            samples.removeFirst();
        }
    }

    int sampleCount() {
        return samples.size();
    }

    /** Since when the app has been comfortable, starting the clock now if it was not. */
    Instant comfortableSince(Instant now) {
        if (comfortableSince == null) {
            comfortableSince = now;
        }
        return comfortableSince;
    }

    void notComfortable() {
        comfortableSince = null;
    }

    /** Starts the wait for the next removal over. */
    void comfortableAgainFrom(Instant now) {
        comfortableSince = now;
    }

    /**
     * The baseline and knee of the pairs kept.
     *
     * <p>The baseline is the 10th percentile of the self times: the app's self time when it is not loaded, robust to a
     * stray fast window. A pair has risen when its self time is over {@code rise} times the baseline. The knee is the
     * split of the pairs, ordered by requests in flight per replica, that best separates the flat pairs below it from
     * the risen ones above it (fewest pairs on the wrong side, the lower split on a tie): the highest load per replica
     * seen with a flat self time before the self time rose. While no rise has been seen, the knee is the default, or
     * the highest load seen flat when that is more.
     */
    AppProfile profile(double defaultKnee, double rise) {
        if (samples.isEmpty()) {
            return new AppProfile(Double.NaN, defaultKnee, false);
        }
        List<Sample> byLoad = new ArrayList<>(samples);
        double[] selfTimes =
                byLoad.stream().mapToDouble(Sample::selfMs).sorted().toArray();
        double baseline = selfTimes[Math.max(0, (int) Math.ceil(0.1 * selfTimes.length) - 1)];
        byLoad.sort(Comparator.comparingDouble(Sample::inFlightPerReplica).thenComparingDouble(Sample::selfMs));
        int n = byLoad.size();
        int flat = 0;
        for (Sample sample : byLoad) {
            flat += sample.selfMs() > rise * baseline ? 0 : 1;
        }
        int bestSplit = n;
        int fewestWrong = Integer.MAX_VALUE;
        int risenBelow = 0;
        int flatBelow = 0;
        for (int split = 1; split <= n; split++) {
            if (byLoad.get(split - 1).selfMs() > rise * baseline) {
                risenBelow++;
            } else {
                flatBelow++;
            }
            int wrong = risenBelow + (flat - flatBelow);
            if (wrong < fewestWrong) {
                fewestWrong = wrong;
                bestSplit = split;
            }
        }
        double highestFlat = byLoad.get(bestSplit - 1).inFlightPerReplica();
        if (bestSplit == n) {
            return highestFlat > defaultKnee
                    ? new AppProfile(baseline, highestFlat, true)
                    : new AppProfile(baseline, defaultKnee, false);
        }
        return new AppProfile(baseline, highestFlat, true);
    }

    private record Point(Instant time, double selfMs) {}

    private record Sample(Instant time, double inFlightPerReplica, double selfMs) {}
}
