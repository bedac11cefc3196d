package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * One situation the policies are compared in: the load over time, the knobs of the songs stack, and, for the leaf
 * dependency scenario, a change of one app's cost at the change time.
 *
 * @param name        the short name used in file names
 * @param title       what it is, in words
 * @param schedule    the load on the aggregator
 * @param knobs       per app, the environment variables added to its spec (e.g. songs's {@code WORK_LATENCY_MS})
 * @param costChange  the app whose cost changes at {@code schedule.changeAt()}, if any
 */
public record Scenario(
        String name,
        String title,
        Schedule schedule,
        Map<String, Map<String, String>> knobs,
        Optional<CostChange> costChange) {
    public Scenario {
        requireNonNull(name, "name is null");
        requireNonNull(title, "title is null");
        requireNonNull(schedule, "schedule is null");
        knobs = Map.copyOf(knobs);
        requireNonNull(costChange, "costChange is null");
    }

    /**
     * A knob of {@code app} that goes from {@code before} to {@code after} at the change time.
     *
     * @param variable e.g. {@code WORK_LATENCY_MS}
     */
    public record CostChange(String app, String variable, String before, String after) {
        public CostChange {
            requireNonNull(app, "app is null");
            requireNonNull(variable, "variable is null");
            requireNonNull(before, "before is null");
            requireNonNull(after, "after is null");
        }
    }

    /**
     * The scenarios of the experiment, with their knobs chosen so that one songs replica saturates at a known rate:
     * {@code MAX_CONCURRENCY=1} and {@code WORK_LATENCY_MS=L} serve at most about 1000/L requests a second, and songs
     * gets two requests for each one the aggregator gets (one from the aggregator, one from playlists). The work is
     * a sleep, not CPU, because on a two-core machine that also runs the platform, the gateway, the load and five
     * JVMs, CPU work would saturate the machine, which no number of replicas relieves.
     *
     * @param quick shorter runs: the change at 20 s, a 10 s spike, a 60 s wave
     */
    public static Map<String, Scenario> all(boolean quick) {
        double change = quick ? 20 : 60;
        Map<String, String> songsAt20 = Map.of("WORK_LATENCY_MS", "20", "MAX_CONCURRENCY", "1");
        return Map.of(
                "leaf-cost",
                new Scenario(
                        "leaf-cost",
                        "songs (a leaf dependency) becomes 3x as costly: WORK_LATENCY_MS 10 -> 30, MAX_CONCURRENCY=1;"
                                + " 25 rps on the aggregator (50 rps on songs)",
                        new Schedule(Schedule.Kind.STEADY, 25, 1, change, 0),
                        Map.of("songs", Map.of("MAX_CONCURRENCY", "1")),
                        Optional.of(new CostChange("songs", "WORK_LATENCY_MS", "10", "30"))),
                "load-step",
                new Scenario(
                        "load-step",
                        "the load steps to 3x: 12 -> 36 rps on the aggregator; songs WORK_LATENCY_MS=20,"
                                + " MAX_CONCURRENCY=1 (about 48 rps a replica)",
                        new Schedule(Schedule.Kind.STEP, 12, 3, change, 0),
                        Map.of("songs", songsAt20),
                        Optional.empty()),
                "spike",
                new Scenario(
                        "spike",
                        "a spike: 12 rps, 48 rps for " + (quick ? 10 : 20) + " s, 12 rps again; songs"
                                + " WORK_LATENCY_MS=20, MAX_CONCURRENCY=1",
                        new Schedule(Schedule.Kind.SPIKE, 12, 4, change, quick ? 10 : 20),
                        Map.of("songs", songsAt20),
                        Optional.empty()),
                "wave",
                new Scenario(
                        "wave",
                        "a slow wave between 12 and 36 rps (period " + (quick ? 60 : 180) + " s); songs"
                                + " WORK_LATENCY_MS=20, MAX_CONCURRENCY=1",
                        new Schedule(Schedule.Kind.WAVE, 12, 3, change, quick ? 60 : 180),
                        Map.of("songs", songsAt20),
                        Optional.empty()));
    }
}
