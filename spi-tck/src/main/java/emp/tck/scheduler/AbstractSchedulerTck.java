package emp.tck.scheduler;

import static emp.tck.scheduler.Views.availability;
import static emp.tck.scheduler.Views.errorRate;
import static emp.tck.scheduler.Views.load;
import static emp.tck.scheduler.Views.metrics;
import static emp.tck.scheduler.Views.noData;
import static emp.tck.scheduler.Views.p95;
import static emp.tck.scheduler.Views.p99;
import static emp.tck.scheduler.Views.ref;
import static emp.tck.scheduler.Views.spec;
import static emp.tck.scheduler.Views.withErrorRate;
import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LoadSecond;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.ClusterView;
import emp.spi.scheduler.EdgeMetrics;
import emp.spi.scheduler.ScaleDecision;
import emp.spi.scheduler.Scheduler;
import emp.spi.scheduler.WindowMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Scheduler} must show, whatever its policy. A scheduler's test is a subclass that says
 * how to make the scheduler ({@link #newScheduler()}) and, where the kit's defaults do not fit its policy, in which
 * view it must scale an app up ({@link #overloadedView()}, after {@link #warmUpViews()}) and whether it keeps state
 * from one tick to the next ({@link #keepsStateAcrossTicks()}). Views are built with {@link Views}.
 *
 * <p>Besides what {@link Scheduler} says, the kit fixes these points of the contract, so that the host can carry out
 * any scheduler's decisions alike:
 * <ul>
 *   <li>{@code decide} returns a list, never null, and throws on no view the host can build: apps without data,
 *       without ready replicas, at or past their bounds, without quality targets, with NaN, zero, infinite or huge
 *       figures (the records allow them), with call edges to apps outside the view, to other owners' apps, to
 *       themselves or in cycles.</li>
 *   <li>A decision names an app of the view, gives a reason a person can read (not blank), and asks for a count
 *       within the app's {@code [min_replicas, max_replicas]}: the host clamps too, but a scheduler does not ask for
 *       what cannot be. There is at most one decision per app per tick.</li>
 *   <li>The empty view gets no decision, nor does an app seen for the first time with nothing in its window (no
 *       span, no load figures): there are no grounds to change it.</li>
 *   <li>An app far over its latency target at its replica count, with room to grow, is given more replicas.</li>
 *   <li>Decisions follow from the views alone: two fresh schedulers given the same ticks decide the same (no wall
 *       clock, no randomness). A scheduler that keeps no state between ticks decides the same on the same view
 *       twice.</li>
 * </ul>
 *
 * <p>Each test gets a scheduler of its own, made by {@link #newScheduler()} on first use. Where a test runs several
 * ticks, it carries each decision out as the host would, at once: the app's replicas, all ready, become the count
 * decided.
 */
public abstract class AbstractSchedulerTck {
    /** How many ticks, a second apart, the kit runs where a decision may take a while: longer than a cool-down. */
    private static final int TICKS = 40;

    /** How many ticks, a second apart, the kit runs of an odd view: enough for a trend after a change. */
    private static final int ODD_TICKS = 5;

    private Scheduler scheduler;

    /** A new scheduler, as its factory would make it with its default configuration. Called at most once per test. */
    protected abstract Scheduler newScheduler();

    /**
     * A view in which the scheduler must ask for more replicas of some app: one far over its latency target at its
     * replica count, with room to grow. The default is one app, {@code tck/overloaded}, with a p95 target of 200 ms
     * and the default bounds (1 to 10) at 2 ready replicas, whose window holds 400 spans at 40 requests a second, a p95
     * of 2000 ms and 1500 ms of self time per request (60 requests in flight on 2 replicas); the cluster does not
     * measure its load. A scheduler that sizes from something else (the cluster's {@link LoadFigures}, say) returns a
     * view that carries it, built with {@link Views}.
     */
    protected ClusterView overloadedView() {
        return Views.at(0)
                .app(spec("overloaded", p95(200)), 2, metrics(40, 1500, 2000))
                .build();
    }

    /**
     * The views the scheduler is given, in order, before {@link #overloadedView()}: for a scheduler that must learn
     * about the apps before it acts. Their decisions are checked like every decision, but none is required. Their
     * times come before the overloaded view's. None by default.
     */
    protected List<ClusterView> warmUpViews() {
        return List.of();
    }

    /**
     * Whether the scheduler keeps state from one tick to the next (learned baselines, trends, histories), so that the
     * same view given twice may be decided differently. The kit then does not expect the same decisions on the same
     * view twice; it still expects two fresh schedulers to decide the same on the same ticks. False by default.
     */
    protected boolean keepsStateAcrossTicks() {
        return false;
    }

    /** The scheduler under test, made on first use. */
    protected final Scheduler scheduler() {
        if (scheduler == null) {
            scheduler = newScheduler();
            assertThat(scheduler).as("the scheduler newScheduler() made").isNotNull();
        }
        return scheduler;
    }

    /**
     * The decisions of the scheduler under test on {@code view}, checked against it: a list, each decision for an app
     * of the view, at most one per app, with a reason, within the app's bounds.
     */
    protected final List<ScaleDecision> decide(ClusterView view) {
        return decide(scheduler(), view);
    }

    // ---- empty and idle

    @Test
    void anEmptyViewGetsNoDecision() {
        assertThat(decide(Views.of())).isEmpty();
    }

    @Test
    void anAppWithNothingInItsWindowGetsNoDecision() {
        ClusterView idle = Views.at(0)
                .app(spec("idle", p95(200)), 3, noData())
                .app(spec("idle-bounded", 2, 5, p95(200), errorRate(0.01)), 4, noData())
                .app(spec("idle-untargeted"), 2, noData())
                .build();

        assertThat(decide(idle))
                .as("apps seen for the first time, with no span in their window and no load figures")
                .isEmpty();
    }

    // ---- what decisions say

    @Test
    void decisionsNameAppsOfTheViewWithAReasonWithinTheirBounds() {
        // decide(...) checks each decision against its view; the apps sit at, past and within their bounds.
        Map<String, Integer> replicas = new LinkedHashMap<>();
        int checked = 0;
        for (int tick = 0; tick < TICKS; tick++) {
            ClusterView view = mixedView(tick, replicas);
            List<ScaleDecision> decisions = decide(view);
            checked += decisions.size();
            carryOut(view, decisions, replicas);
        }

        assertThat(checked)
                .as("decisions in %d ticks of apps over and under their targets, some measured by the cluster", TICKS)
                .isPositive();
    }

    @Test
    void anOverloadedAppIsGivenMoreReplicas() {
        ClusterView overloaded = overloadedView();
        assertThat(overloaded.apps().values())
                .as("the overloaded view holds an app with room to grow")
                .anySatisfy(
                        app -> assertThat(app.replicas()).isLessThan(app.spec().effectiveMaxReplicas()));
        warmUpViews().forEach(this::decide);

        List<ScaleDecision> decisions = decide(overloaded);

        assertThat(decisions)
                .as("decisions on the overloaded view")
                .anySatisfy(decision -> assertThat(decision.replicas())
                        .as("%s's replicas, now %d", decision.app(), replicasOf(overloaded, decision.app()))
                        .isGreaterThan(replicasOf(overloaded, decision.app())));
    }

    @Test
    void anOverloadedAppAtItsMaximumIsNotAskedForMore() {
        ClusterView overloaded = overloadedView();
        Map<AppRef, AppView> atMax = new LinkedHashMap<>();
        overloaded
                .apps()
                .forEach((ref, app) ->
                        atMax.put(ref, withReplicas(app, app.spec().effectiveMaxReplicas())));
        warmUpViews().forEach(this::decide);

        List<ScaleDecision> decisions = decide(new ClusterView(overloaded.time(), atMax));

        assertThat(decisions)
                .as("every app of the overloaded view at its max_replicas")
                .allSatisfy(decision -> assertThat(decision.replicas())
                        .as("%s at its max_replicas: %s", decision.app(), decision.reason())
                        .isLessThanOrEqualTo(atMax.get(decision.app()).replicas()));
    }

    // ---- views the host can build, however odd

    @Test
    void appsWithoutReadyReplicasCauseNoError() {
        AppSpec spec = spec("starting", 1, 10, p95(200));
        decideEachTick(
                "an overloaded app none of whose 3 replicas is ready",
                tick -> Views.at(tick).app(spec, 3, 0, metrics(40, 1500, 2000)).build());
        decideEachTick(
                "an app with no replica, its window full",
                tick -> Views.at(tick)
                        .app(spec("stopped", 0, 10, p95(200)), 0, 0, metrics(40, 1500, 2000))
                        .build());
        decideEachTick(
                "a saturated app none of whose replicas is ready",
                tick -> Views.at(tick)
                        .app(spec, 2, 0, load(10, 100, 0, 60, 50, 1))
                        .build());
        decideEachTick(
                "an app with no replica, requests waiting for it",
                tick -> Views.at(tick)
                        .app(spec("asleep", 0, 10, p95(200)), 0, load(10, 5, 0, 5, 0, 1))
                        .build());
    }

    @Test
    void oddFiguresCauseNoError() {
        double nan = Double.NaN;
        double infinite = Double.POSITIVE_INFINITY;
        double huge = Double.MAX_VALUE;
        Map<String, WindowMetrics> windows = new LinkedHashMap<>();
        windows.put("NaN figures", new WindowMetrics(nan, 1000, nan, nan, nan, nan, nan, nan, nan));
        windows.put("zero figures with spans", new WindowMetrics(0, 1000, 0, 0, 0, 0, 0, 0, 0));
        windows.put(
                "infinite figures",
                new WindowMetrics(infinite, 1000, infinite, 1, infinite, infinite, infinite, infinite, infinite));
        windows.put("huge figures", new WindowMetrics(huge, Long.MAX_VALUE, huge, 1, huge, huge, huge, huge, huge));
        windows.put("a huge rate at no latency", new WindowMetrics(10, Long.MAX_VALUE, huge, 0, 0, 0, 0, 0, 0));
        windows.put("NaN latencies at a normal rate", new WindowMetrics(10, 400, 40, 0, nan, nan, nan, nan, 0));
        windows.put("a self time over the latency", metrics(40, 1e9, 2000));
        Map<String, LoadFigures> loads = new LinkedHashMap<>();
        loads.put("load figures of no second", new LoadFigures(List.of(), 0, 0, 0, 1, true));
        loads.put(
                "NaN load figures",
                new LoadFigures(seconds(new LoadSecond(10, 10, 0, nan, nan, nan)), 0, 0, nan, 1, true));
        loads.put(
                "huge load figures",
                new LoadFigures(
                        seconds(new LoadSecond(1L << 40, 1L << 40, 1L << 40, huge, huge, huge)),
                        Integer.MAX_VALUE,
                        Integer.MAX_VALUE,
                        huge,
                        Integer.MAX_VALUE,
                        false));
        loads.put(
                "infinite load figures",
                new LoadFigures(
                        seconds(new LoadSecond(100, 1, 0, infinite, infinite, infinite)), 1, 100, infinite, 1, false));

        List<AppView> all = new ArrayList<>();
        int number = 0;
        for (Map.Entry<String, WindowMetrics> window : windows.entrySet()) {
            AppSpec spec = spec("odd-" + number++, 1, 10, p95(200), p99(400), errorRate(0.01), availability(99.9));
            AppView app = new AppView(ref(spec.name()), spec, 2, 2, window.getValue(), List.of());
            all.add(app);
            decideEachTick("an app with " + window.getKey(), tick -> at(tick, app));
        }
        for (Map.Entry<String, LoadFigures> load : loads.entrySet()) {
            AppSpec spec = spec("odd-" + number++, 1, 10, p95(200));
            AppView app = new AppView(
                    ref(spec.name()), spec, 2, 2, metrics(40, 1500, 2000), List.of(), Optional.of(load.getValue()));
            all.add(app);
            decideEachTick("an app with " + load.getKey(), tick -> at(tick, app));
        }
        decideEachTick("all of them in one view", tick -> at(tick, all.toArray(AppView[]::new)));
    }

    @Test
    void anAppWithoutQualityMetricsCausesNoError() {
        decideEachTick(
                "an overloaded app without quality metrics",
                tick -> Views.at(tick)
                        .app(spec("untargeted"), 2, metrics(40, 1500, 2000))
                        .build());
        decideEachTick(
                "an app without quality metrics calling one without either",
                tick -> Views.at(tick)
                        .app(spec("front"), 2, metrics(40, 20, 2000))
                        .app(spec("back"), 1, withErrorRate(metrics(40, 1900, 1950), 0.5))
                        .edge("front", "back", 40, 1950)
                        .build());
    }

    @Test
    void oddCallEdgesCauseNoError() {
        decideEachTick(
                "edges to an app outside the view, another owner's app, itself, and in a cycle",
                tick -> Views.at(tick)
                        .app(spec("front", p95(200)), 2, metrics(40, 20, 2000))
                        .app(spec("middle"), 2, metrics(40, 900, 1900))
                        .app(spec("back"), 1, metrics(80, 950, 1000))
                        .edge("front", "absent", 40, 1900)
                        .edge(new EdgeMetrics(ref("front"), new AppRef("someone-else", "back"), 40, 0, 1900))
                        .edge("front", "front", 5, 10)
                        .edge("front", "middle", 40, 1900)
                        .edge("middle", "back", 80, 1000)
                        .edge("back", "middle", 10, 900)
                        .edge("back", "absent", 10, 50)
                        .edge(new EdgeMetrics(ref("middle"), ref("back"), Double.NaN, Double.NaN, Double.NaN))
                        .edge(new EdgeMetrics(
                                ref("back"), ref("front"), Double.POSITIVE_INFINITY, 1, Double.POSITIVE_INFINITY))
                        .build());
    }

    // ---- decisions follow from the views

    @Test
    void theSameViewTwiceGetsTheSameDecisions() {
        if (keepsStateAcrossTicks()) {
            Assumptions.abort("the scheduler keeps state across ticks (keepsStateAcrossTicks), so the same view twice"
                    + " may be decided differently; freshSchedulersDecideTheSameOnTheSameTicks checks it instead");
        }
        ClusterView overloaded = overloadedView();
        ClusterView mixed = mixedView(0, new LinkedHashMap<>());

        assertThat(decide(overloaded)).containsExactlyInAnyOrderElementsOf(decide(overloaded));
        assertThat(decide(mixed)).containsExactlyInAnyOrderElementsOf(decide(mixed));
    }

    @Test
    void freshSchedulersDecideTheSameOnTheSameTicks() {
        Scheduler first = scheduler();
        Scheduler second = newScheduler();
        List<ClusterView> ticks = new ArrayList<>(warmUpViews());
        ClusterView overloaded = overloadedView();
        ticks.add(overloaded);

        for (ClusterView view : ticks) {
            assertThat(decide(second, view))
                    .as("decisions at %s", view.time())
                    .containsExactlyInAnyOrderElementsOf(decide(first, view));
        }
        Map<String, Integer> replicas = new LinkedHashMap<>();
        for (int tick = 1; tick <= TICKS; tick++) {
            ClusterView view =
                    retimed(mixedView(tick, replicas), overloaded.time().plusSeconds(tick));
            List<ScaleDecision> decisions = decide(first, view);
            assertThat(decide(second, view))
                    .as("decisions at %s", view.time())
                    .containsExactlyInAnyOrderElementsOf(decisions);
            carryOut(view, decisions, replicas);
        }
    }

    // ---- helpers

    /**
     * Apps at, past and within their bounds, over and under their targets, spans only and measured by the cluster:
     * at {@code tick} seconds, with the replica counts of {@code replicas} where it has them.
     */
    private static ClusterView mixedView(int tick, Map<String, Integer> replicas) {
        Views views = Views.at(tick);
        mixedApp(views, replicas, spec("hot", 2, 3, p95(200)), 2, metrics(40, 1500, 2000));
        mixedApp(views, replicas, spec("calm", 2, 6, p95(200)), 5, metrics(5, 10, 20));
        mixedApp(views, replicas, spec("at-min", 3, 5, p95(200)), 3, metrics(1, 5, 10));
        mixedApp(views, replicas, spec("past-max", 1, 4, p95(200)), 6, metrics(2, 5, 10));
        mixedApp(views, replicas, spec("under-min", 3, 6, p95(200)), 1, metrics(40, 1500, 2000));
        mixedApp(views, replicas, spec("to-zero", 0, 4, p95(200)), 1, metrics(0.5, 5, 10));
        mixedApp(
                views,
                replicas,
                spec("failing", 1, 8, errorRate(0.01), availability(99.9)),
                2,
                withErrorRate(metrics(40, 20, 40), 0.2));
        mixedApp(views, replicas, spec("caller", 1, 8, p95(200)), 1, metrics(20, 10, 900));
        mixedApp(views, replicas, spec("callee"), 1, metrics(20, 880, 890));
        views.edge("caller", "callee", 20, 890);
        AppSpec measured = Views.calling("measured", 1, 8);
        views.app(
                measured,
                replicas.getOrDefault(measured.name(), 2),
                metrics(40, 50, 2000),
                load(LoadFigures.MAX_SECONDS, 100, 40, 60, 50, 1));
        return views.build();
    }

    private static void mixedApp(
            Views views, Map<String, Integer> replicas, AppSpec spec, int initial, WindowMetrics metrics) {
        views.app(spec, replicas.getOrDefault(spec.name(), initial), metrics);
    }

    /** Carries the decisions out as the host would, at once and within the bounds. */
    private static void carryOut(ClusterView view, List<ScaleDecision> decisions, Map<String, Integer> replicas) {
        for (ScaleDecision decision : decisions) {
            replicas.put(decision.app().name(), decision.replicas());
        }
        view.apps().values().forEach(app -> replicas.putIfAbsent(app.app().name(), app.replicas()));
    }

    /**
     * Runs {@link #ODD_TICKS} ticks a second apart of the views {@code view} gives, each checked, carrying each decision
     * out: the app's replicas become the count decided, as many ready as were (all of them, when all were).
     */
    private void decideEachTick(String what, IntFunction<ClusterView> view) {
        Map<AppRef, Integer> decided = new LinkedHashMap<>();
        for (int tick = 0; tick < ODD_TICKS; tick++) {
            ClusterView given = view.apply(tick);
            Map<AppRef, AppView> apps = new LinkedHashMap<>();
            given.apps().forEach((ref, app) -> {
                int replicas = decided.getOrDefault(ref, app.replicas());
                int ready = app.ready() >= app.replicas() ? replicas : Math.min(app.ready(), replicas);
                apps.put(ref, new AppView(ref, app.spec(), replicas, ready, app.metrics(), app.edges(), app.load()));
            });
            try {
                decide(new ClusterView(given.time(), apps))
                        .forEach(decision -> decided.put(decision.app(), decision.replicas()));
            } catch (RuntimeException e) {
                throw new AssertionError(
                        "the scheduler failed on " + what + " (tick " + tick + ") instead of deciding: " + e, e);
            } catch (AssertionError e) {
                throw new AssertionError("on " + what + " (tick " + tick + "): " + e.getMessage(), e);
            }
        }
    }

    private static List<ScaleDecision> decide(Scheduler scheduler, ClusterView view) {
        List<ScaleDecision> decisions = scheduler.decide(view);
        assertThat(decisions).as("the decisions on the view at %s", view.time()).isNotNull();
        Set<AppRef> decided = new HashSet<>();
        for (ScaleDecision decision : decisions) {
            assertThat(decision).as("a decision").isNotNull();
            AppView app = view.apps().get(decision.app());
            assertThat(app)
                    .as(
                            "the app of decision %s is in the view (%s)",
                            decision, view.apps().keySet())
                    .isNotNull();
            assertThat(decided.add(decision.app()))
                    .as("one decision for %s: %s", decision.app(), decisions)
                    .isTrue();
            assertThat(decision.reason()).as("the reason of %s", decision).isNotBlank();
            assertThat(decision.replicas())
                    .as(
                            "%s with %d replicas, bounds %d to %d: %s",
                            decision.app(),
                            app.replicas(),
                            app.spec().effectiveMinReplicas(),
                            app.spec().effectiveMaxReplicas(),
                            decision.reason())
                    .isBetween(app.spec().effectiveMinReplicas(), app.spec().effectiveMaxReplicas());
        }
        return decisions;
    }

    private static int replicasOf(ClusterView view, AppRef app) {
        return view.apps().get(app).replicas();
    }

    private static AppView withReplicas(AppView app, int replicas) {
        return new AppView(app.app(), app.spec(), replicas, replicas, app.metrics(), app.edges(), app.load());
    }

    private static ClusterView at(int tick, AppView... apps) {
        Views views = Views.at(tick);
        for (AppView app : apps) {
            views.app(app);
        }
        return views.build();
    }

    private static ClusterView retimed(ClusterView view, Instant time) {
        return new ClusterView(time, view.apps());
    }

    private static List<LoadSecond> seconds(LoadSecond second) {
        List<LoadSecond> seconds = new ArrayList<>();
        for (int i = 0; i < LoadFigures.MAX_SECONDS; i++) {
            seconds.add(second);
        }
        return seconds;
    }
}
