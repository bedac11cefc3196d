package emp.cluster.sim;

import emp.spi.AppRef;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The chance in each replica start: how long it takes, and whether the replica crashes as it starts. Each start draws
 * from a {@link RandomGenerator} seeded from the configured seed, the app, the replica's number and how many times it
 * was restarted: so one seed gives every replica the same starts in every run, whatever order the starts happen in
 * (the scheduler thread's timing, or the order of the calls that deploy the apps, cannot shift one replica's draws onto
 * another). Thread-safe: it holds no state that changes.
 */
final class StartDraws {
    /** One start's fate. */
    record Draw(long latencyMillis, boolean crashes) {}

    private final long seed;
    private final long latencyMillis;
    private final long jitterMillis;

    StartDraws(long seed, Duration latency, Duration jitter) {
        this.seed = seed;
        this.latencyMillis = latency.toMillis();
        this.jitterMillis = Math.min(jitter.toMillis(), latencyMillis);
    }

    /**
     * @param index            the replica's number within its app
     * @param start            how many times it was started before (0 for its first start)
     * @param crashProbability the chance that this start ends in a crash
     */
    Draw draw(AppRef app, int index, int start, double crashProbability) {
        long key = mix(seed
                ^ mix(app.owner().hashCode() * 0x9E3779B97F4A7C15L + app.name().hashCode()));
        RandomGenerator random = new SplittableRandom(mix(key + index * 0xBF58476D1CE4E5B9L + start));
        long latency = jitterMillis == 0
                ? latencyMillis
                : latencyMillis - jitterMillis + random.nextLong(2 * jitterMillis + 1);
        boolean crashes = crashProbability > 0 && random.nextDouble() < crashProbability;
        return new Draw(latency, crashes);
    }

    /** SplitMix64's finalizer: every bit of the input moves about half the bits of the output. */
    private static long mix(long value) {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
