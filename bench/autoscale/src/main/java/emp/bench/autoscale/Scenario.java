package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One situation the policies are compared in: the stack deployed and the app the load enters by, the load over time,
 * the knobs of the stack's apps, and, for the leaf dependency scenario, a change of one app's cost at the change time.
 *
 * <p>Every scenario has the same phases: the base load (or cost) until {@code schedule.changeAt()}, the step up, a
 * hold, and the drop back to the base at {@link #dropAt()}, so that each run measures scaling in both directions; the
 * spike is a step with a short hold. The wave has no drop.
 *
 * @param name        the short name used in file names
 * @param title       what it is, in words
 * @param stack       the stack deployed, and its entry app
 * @param schedule    the load on the entry app
 * @param knobs       per app, the environment variables added to its spec (e.g. songs's {@code WORK_LATENCY_MS})
 * @param costChange  the app whose cost changes at {@code schedule.changeAt()} and goes back at {@code dropAt}, if any
 * @param dropAt      when the load or the cost goes back to the base: the schedule's drop, or the cost change's end;
 *                    NaN when nothing drops (the wave)
 * @param bottleneck  the app that needs more replicas for the step, and how many the base load needs
 */
public record Scenario(
        String name,
        String title,
        Stack stack,
        Schedule schedule,
        Map<String, Map<String, String>> knobs,
        Optional<CostChange> costChange,
        double dropAt,
        Bottleneck bottleneck) {
    public Scenario {
        requireNonNull(name, "name is null");
        requireNonNull(title, "title is null");
        requireNonNull(stack, "stack is null");
        requireNonNull(schedule, "schedule is null");
        knobs = Map.copyOf(knobs);
        requireNonNull(costChange, "costChange is null");
        requireNonNull(bottleneck, "bottleneck is null");
        if (!Double.isNaN(schedule.dropAt()) && Double.compare(schedule.dropAt(), dropAt) != 0) {
            throw new IllegalArgumentException("scenario '" + name + "': the load drops at " + schedule.dropAt()
                    + " s, but the scenario says " + dropAt + " s");
        }
        if (!Double.isNaN(dropAt) && !(dropAt > schedule.changeAt())) {
            throw new IllegalArgumentException("scenario '" + name + "': the drop (" + dropAt
                    + " s) must come after the change (" + schedule.changeAt() + " s)");
        }
        if (costChange.isPresent() && Double.isNaN(dropAt)) {
            throw new IllegalArgumentException("scenario '" + name + "': a cost change needs the time it goes back");
        }
    }

    /**
     * A stack file and the app the load is sent to.
     *
     * @param name     the stack, in words and messages
     * @param file     the stack file (a JSON list of app specs), relative to the repository root; its
     *                 {@code ${EMP_SPEC_DIR}} is the file's folder, as {@code emp deploy} has it
     * @param entryApp the app whose p95 against its {@code latency_p95_ms} target the table judges
     */
    public record Stack(String name, String file, String entryApp) {
        public Stack {
            requireNonNull(name, "name is null");
            requireNonNull(file, "file is null");
            requireNonNull(entryApp, "entryApp is null");
        }

        /** {@code examples/songs/stack.json}, entered by the aggregator. */
        public static final Stack SONGS = new Stack("songs", "examples/songs/stack.json", "aggregator");

        /** {@code bench/autoscale/apps/serial-leaf/stack.json}: a threaded front calling a serial leaf. */
        public static final Stack SERIAL_LEAF =
                new Stack("serial-leaf", "bench/autoscale/apps/serial-leaf/stack.json", "front");
    }

    /**
     * The app whose replicas the step needs, and how many the base load needs, so that the table can tell how long a
     * policy took to come back down after the drop.
     *
     * @param baseReplicas the replicas the base load needs (at or below which the app is back)
     */
    public record Bottleneck(String app, int baseReplicas) {
        public Bottleneck {
            requireNonNull(app, "app is null");
            if (baseReplicas < 1) {
                throw new IllegalArgumentException(
                        "app '" + app + "': the base load needs at least 1 replica, not " + baseReplicas);
            }
        }
    }

    /**
     * A knob of {@code app} that goes from {@code before} to {@code after} at the change time, and back to
     * {@code before} at the drop.
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

    /** The change time, the drop and the end of the measured part of {@code quick} and full runs. */
    static double changeAt(boolean quick) {
        return quick ? 20 : 60;
    }

    static double dropAt(boolean quick) {
        return quick ? 60 : 180;
    }

    static int length(boolean quick) {
        return quick ? 150 : 330;
    }

    /**
     * The scenarios of the experiment. In the songs stack the knobs make one songs replica saturate at a known rate:
     * {@code MAX_CONCURRENCY=1} and {@code WORK_LATENCY_MS=L} serve at most about 1000/L requests a second, and songs
     * gets two requests for each one the aggregator gets (one from the aggregator, one from playlists). The work is
     * a sleep, not CPU, because on a two-core machine that also runs the platform, the gateway, the load and five
     * JVMs, CPU work would saturate the machine, which no number of replicas relieves. In the serial-leaf stack the
     * leaf serves one request at a time, 50 ms each: about 20 rps a replica.
     *
     * <p>Phases: the change at 20 s (full: 60 s), the drop at 60 s (full: 180 s), the end at 150 s (full: 330 s), so a
     * run has 90 s (full: 150 s) after the drop to see the scale-down; the spike keeps its 10 s (full: 20 s).
     *
     * @param quick shorter runs
     */
    public static Map<String, Scenario> all(boolean quick) {
        double change = changeAt(quick);
        double drop = dropAt(quick);
        double hold = drop - change;
        double spike = quick ? 10 : 20;
        Map<String, String> songsAt20 = Map.of("WORK_LATENCY_MS", "20", "MAX_CONCURRENCY", "1");
        Bottleneck songs = new Bottleneck("songs", 1);
        Map<String, Scenario> scenarios = new LinkedHashMap<>();
        scenarios.put(
                "leaf-cost",
                new Scenario(
                        "leaf-cost",
                        "songs (a leaf dependency) becomes 3x as costly and then cheap again: WORK_LATENCY_MS 10 -> 30"
                                + " at t=" + (int) change + " s, back to 10 at t=" + (int) drop + " s;"
                                + " MAX_CONCURRENCY=1; 25 rps on the aggregator (50 rps on songs)",
                        Stack.SONGS,
                        new Schedule(Schedule.Kind.STEADY, 25, 1, change, 0),
                        Map.of("songs", Map.of("MAX_CONCURRENCY", "1")),
                        Optional.of(new CostChange("songs", "WORK_LATENCY_MS", "10", "30")),
                        drop,
                        songs));
        scenarios.put(
                "load-step",
                new Scenario(
                        "load-step",
                        "the load steps to 3x and back: 12 rps, 36 rps from t=" + (int) change + " s to t=" + (int) drop
                                + " s, 12 rps; songs WORK_LATENCY_MS=20, MAX_CONCURRENCY=1 (about 48 rps a replica)",
                        Stack.SONGS,
                        new Schedule(Schedule.Kind.STEP, 12, 3, change, hold),
                        Map.of("songs", songsAt20),
                        Optional.empty(),
                        drop,
                        songs));
        scenarios.put(
                "spike",
                new Scenario(
                        "spike",
                        "a spike: 12 rps, 48 rps for " + (int) spike + " s from t=" + (int) change + " s, 12 rps"
                                + " again; songs WORK_LATENCY_MS=20, MAX_CONCURRENCY=1",
                        Stack.SONGS,
                        new Schedule(Schedule.Kind.SPIKE, 12, 4, change, spike),
                        Map.of("songs", songsAt20),
                        Optional.empty(),
                        change + spike,
                        songs));
        scenarios.put(
                "serial-leaf",
                new Scenario(
                        "serial-leaf",
                        "a threaded front calls a leaf that serves one request at a time, 50 ms each (about 20 rps a"
                                + " replica): 10 rps, 30 rps from t=" + (int) change + " s to t=" + (int) drop
                                + " s, 10 rps; p95 target 200 ms on the front only",
                        Stack.SERIAL_LEAF,
                        new Schedule(Schedule.Kind.STEP, 10, 3, change, hold),
                        Map.of(),
                        Optional.empty(),
                        drop,
                        new Bottleneck("leaf", 1)));
        scenarios.put(
                "wave",
                new Scenario(
                        "wave",
                        "a slow wave between 12 and 36 rps (period " + (quick ? 60 : 180) + " s); songs"
                                + " WORK_LATENCY_MS=20, MAX_CONCURRENCY=1",
                        Stack.SONGS,
                        new Schedule(Schedule.Kind.WAVE, 12, 3, change, quick ? 60 : 180),
                        Map.of("songs", songsAt20),
                        Optional.empty(),
                        Double.NaN,
                        songs));
        return scenarios;
    }
}
