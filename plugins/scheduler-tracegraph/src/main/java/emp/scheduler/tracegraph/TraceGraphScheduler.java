package emp.scheduler.tracegraph;

import static emp.scheduler.tracegraph.Figures.ms;
import static emp.scheduler.tracegraph.Figures.number;
import static emp.scheduler.tracegraph.Figures.percent;
import static emp.scheduler.tracegraph.Figures.seconds;
import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.ClusterView;
import emp.spi.scheduler.ScaleDecision;
import emp.spi.scheduler.Scheduler;
import emp.spi.scheduler.WindowMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global view: scales the app that causes a missed latency target, not the apps that wait on it.
 *
 * <p><b>Apps the cluster measures.</b> Where the cluster measures an app's requests exactly in its request path (the
 * local cluster's gateway: {@link AppView#load()}), the app is sized from its demand and its capacity, in both
 * directions, by {@link DemandSizing}: {@code needed = ceil(demand / (capacity per replica x target-utilization))},
 * where demand is the requests that arrive and capacity what a replica completes per second while requests wait for
 * it, never a response time that includes the wait; a saturated app that waits on a saturated dependency is left
 * alone. What follows is how the apps without such figures (on Kubernetes, say) are sized, from their spans.
 *
 * <p><b>Up.</b> When an app with data misses a latency target ({@code latency_p95_ms}, {@code latency_p99_ms}), the
 * apps it reaches through the call edges are weighed. An app is on the critical path when its self time, times the
 * share of the missing app's requests that reach it, is at least {@code min-share} of the missed latency. It causes
 * the miss when its self time grew ({@code rise} times its own baseline or more) or when it queues (more requests in
 * flight per replica than its knee). A caller that only queues, whose self time did not grow, and below which
 * another cause lies, is explained by that cause and is left alone. Each cause is sized by Little's law: the requests
 * it is working on are {@code rate x self time}; the replicas needed carry them at {@code target-utilization} of
 * the knee each: {@code ceil(rate x self / (knee x target-utilization))}, clamped to the app's bounds; one decision
 * goes straight to that count. An app without quality metrics is scaled only this way, as the cause of a caller's
 * miss.
 *
 * <p><b>Down.</b> An app is judged by its own latency targets and those of every app above it in the call graph
 * (they depend on it). When all of them, among the apps with data, have been under {@code scale-down-below} of
 * their targets for {@code scale-down-after}, its replica count has not changed for as long (and for a whole
 * window), and with one replica fewer it would still use under {@code scale-down-utilization} of its learned
 * capacity, one replica is removed; the next removal waits as long again. An app with no latency target of its own
 * is judged by its callers' targets; with none above it either there is nothing to judge by, and it keeps its
 * replicas.
 *
 * <p><b>Measures.</b> Requests in flight here are those being worked on, {@code rate x self time}, not the mean in
 * flight of the window, which also counts the time a caller waits on its callees: a caller waiting on a slow
 * dependency is not busy, and Little's law sizes the work in the same units as the knee. For an app that calls no
 * other, the two are the same. The baseline and knee are learned per app from the ticks whose window was measured at
 * a steady replica count, kept for {@code history} (see {@link AppHistory#profile}).
 *
 * <p>Apps with fewer than {@code min-spans} spans in the window, and apps with no replicas (stopped), are left alone.
 * Time is the view's, never the wall clock. State is per app, bounded, and dropped when an app leaves the view.
 * {@link #decide} is synchronized, so a tick that overruns the host's deadline cannot overlap the next one.
 */
public final class TraceGraphScheduler implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(TraceGraphScheduler.class);

    /** Absorbs floating-point noise so that a load of exactly 5.0 replicas is 5, not 6. */
    private static final double EPSILON = 1e-9;

    private final TraceGraphConfig config;
    private final Map<AppRef, AppHistory> histories = new HashMap<>();
    private final DemandSizing demand;

    public TraceGraphScheduler(TraceGraphConfig config) {
        this.config = requireNonNull(config, "config is null");
        this.demand = new DemandSizing(config.targetUtilization());
    }

    @Override
    public synchronized List<ScaleDecision> decide(ClusterView view) {
        Instant now = view.time();
        Map<AppRef, AppView> apps = view.apps();
        histories.keySet().retainAll(apps.keySet());
        demand.retain(apps.keySet());
        Map<AppRef, AppProfile> profiles = new HashMap<>();
        for (AppView app : apps.values()) {
            AppHistory history = histories.computeIfAbsent(app.app(), ref -> new AppHistory());
            history.seen(app.replicas(), now);
            history.forgetBefore(now.minus(config.history()));
            if (hasData(app)) {
                history.observed(now, app.metrics().selfMs());
            }
            profiles.put(app.app(), history.profile(config.defaultKnee(), config.rise()));
        }

        Map<AppRef, ScaleDecision> decisions = new TreeMap<>(Comparator.comparing(AppRef::toString));
        Map<AppRef, Demand> asked = Demand.of(apps);
        for (AppView app : apps.values()) {
            if (app.load().isPresent()) {
                demand.decide(app, asked.get(app.app()), apps, now)
                        .ifPresent(decision -> decisions.put(decision.app(), decision));
            }
        }
        Set<AppRef> strained = new HashSet<>();
        for (Miss miss : misses(apps)) {
            Map<AppRef, Double> reach = CallGraph.reach(apps, miss.app());
            strained.addAll(reach.keySet());
            List<Suspect> causes = causes(apps, miss, reach, profiles, now);
            if (causes.isEmpty()) {
                LOG.debug(
                        "'{}' misses its {} target ({} ms > {} ms) but no app below it has grown or queues",
                        miss.app(),
                        miss.percentile(),
                        ms(miss.observedMs()),
                        ms(miss.targetMs()));
            }
            for (Suspect cause : causes) {
                if (!decisions.containsKey(cause.view().app())
                        && cause.view().load().isEmpty()) {
                    scaleUp(miss, cause, now).ifPresent(decision -> decisions.put(decision.app(), decision));
                }
            }
        }

        List<AppView> byName = apps.values().stream()
                .sorted(Comparator.comparing(app -> app.app().toString()))
                .toList();
        for (AppView app : byName) {
            AppHistory history = histories.get(app.app());
            if (app.load().isPresent()) {
                continue;
            }
            if (decisions.containsKey(app.app()) || strained.contains(app.app())) {
                history.notComfortable();
                continue;
            }
            scaleDown(apps, app, profiles.get(app.app()), history, now)
                    .ifPresent(decision -> decisions.put(decision.app(), decision));
        }

        // Learned after deciding, so that this tick is judged against the past, not against itself.
        for (AppView app : apps.values()) {
            Duration window = window(app.metrics());
            AppHistory history = histories.get(app.app());
            if (hasData(app) && app.ready() >= app.replicas() && history.stableFor(now, window)) {
                history.record(
                        now, inFlight(app) / app.replicas(), app.metrics().selfMs());
            }
        }
        return List.copyOf(decisions.values());
    }

    /** The apps being tracked: those of the last view. */
    synchronized Set<AppRef> tracked() {
        return Set.copyOf(histories.keySet());
    }

    /** How many pairs are kept for an app; 0 when it is not tracked. */
    synchronized int samples(AppRef app) {
        AppHistory history = histories.get(app);
        return history == null ? 0 : history.sampleCount();
    }

    /** Every missed latency target, the worst per app, the worst first. */
    private List<Miss> misses(Map<AppRef, AppView> apps) {
        List<Miss> misses = new ArrayList<>();
        for (AppView app : apps.values()) {
            if (!hasData(app)) {
                continue;
            }
            Miss.latencyTargets(app).stream()
                    .filter(target -> target.observedMs() > target.targetMs())
                    .max(Comparator.comparingDouble(Miss::severity))
                    .ifPresent(misses::add);
        }
        misses.sort(Comparator.comparingDouble(Miss::severity)
                .reversed()
                .thenComparing(miss -> miss.app().toString()));
        return misses;
    }

    /** The apps that cause {@code miss}, by name. */
    private List<Suspect> causes(
            Map<AppRef, AppView> apps,
            Miss miss,
            Map<AppRef, Double> reach,
            Map<AppRef, AppProfile> profiles,
            Instant now) {
        List<Suspect> suspects = new ArrayList<>();
        for (Map.Entry<AppRef, Double> reached : reach.entrySet()) {
            AppView app = apps.get(reached.getKey());
            if (!hasData(app)) {
                continue;
            }
            double selfMs = app.metrics().selfMs();
            if (selfMs * reached.getValue() < config.minShare() * miss.observedMs()) {
                continue;
            }
            AppProfile profile = profiles.get(app.app());
            double inFlight = inFlight(app);
            double perReplica = inFlight / app.replicas();
            boolean grown = profile.hasBaseline() && selfMs >= config.rise() * profile.baselineMs();
            boolean queued = perReplica > profile.knee();
            if (grown || queued) {
                SelfTimeTrend trend =
                        histories.get(app.app()).trend(now, config.trendWindow(), config.saturationGrowth());
                suspects.add(new Suspect(app, reached.getValue(), inFlight, perReplica, grown, queued, profile, trend));
            }
        }
        Set<AppRef> suspected =
                suspects.stream().map(suspect -> suspect.view().app()).collect(Collectors.toSet());
        // A busy caller whose own self time did not grow waits on a cause below it: that one is scaled, not the caller.
        suspects.removeIf(suspect -> !suspect.grown()
                && suspect.profile().hasBaseline()
                && CallGraph.anyBelow(apps, suspect.view().app(), suspected));
        suspects.sort(Comparator.comparing(suspect -> suspect.view().app().toString()));
        return suspects;
    }

    private Optional<ScaleDecision> scaleUp(Miss miss, Suspect cause, Instant now) {
        AppView app = cause.view();
        AppSpec spec = app.spec();
        AppProfile profile = cause.profile();
        SelfTimeTrend trend = cause.trend();
        if (cause.queued() && trend.draining()) {
            LOG.debug(
                    "'{}' queues but its self time falls: its {} replicas drain the backlog",
                    app.app(),
                    app.replicas());
            return Optional.empty();
        }
        if (cause.queued() && waitsForTrend(app, trend, now)) {
            LOG.debug(
                    "'{}' queues; one more tick will tell a backlog from a cost in its self time ({} at {} replicas)",
                    app.app(),
                    trend.direction(),
                    app.replicas());
            return Optional.empty();
        }
        double littles = cause.inFlight() / (profile.knee() * config.targetUtilization());
        // A saturated app finishes requests only as fast as it serves them, and their self time is mostly the backlog
        // they waited in: Little's law would size the backlog. The backlog's growth gives the overload instead.
        double overload = 1 + trend.growthPerSecond();
        double saturated = app.replicas() * overload / config.targetUtilization();
        boolean bySaturation = cause.queued() && trend.saturated(config.saturationGrowth()) && saturated < littles;
        // Seen for the first time, and queued: no trend tells a backlog from a cost yet, so at most double, as the
        // fastest step of Kubernetes' HPA does; the next decision has a trend to go by.
        boolean doubled = cause.queued()
                && trend.direction() == SelfTimeTrend.Direction.UNKNOWN
                && littles > 2.0 * app.replicas();
        double exact = bySaturation ? saturated : doubled ? 2.0 * app.replicas() : littles;
        int needed = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(exact - EPSILON)));
        int replicas = Math.min(spec.effectiveMaxReplicas(), Math.max(spec.effectiveMinReplicas(), needed));
        if (replicas <= app.replicas()) {
            LOG.debug(
                    "'{}' causes the miss of '{}' but needs no more than its {} replicas ({} by Little's law, max {})",
                    app.app(),
                    miss.app(),
                    app.replicas(),
                    needed,
                    spec.effectiveMaxReplicas());
            return Optional.empty();
        }
        String name = label(app.app(), app.app());
        StringBuilder reason = new StringBuilder()
                .append(label(miss.app(), app.app()))
                .append(' ')
                .append(miss.percentile())
                .append(' ')
                .append(ms(miss.observedMs()))
                .append(" ms > ")
                .append(ms(miss.targetMs()))
                .append(" ms target; ")
                .append(name)
                .append(" self time ")
                .append(ms(app.metrics().selfMs()))
                .append(" ms of ")
                .append(ms(miss.observedMs()))
                .append(" ms on the critical path (")
                .append(profile.hasBaseline() ? "baseline " + ms(profile.baselineMs()) + " ms" : "no baseline yet")
                .append("), ");
        if (cause.reach() < 1 - 0.005) {
            reason.append("reached by ").append(percent(cause.reach())).append(" of the requests, ");
        }
        reason.append(number(cause.perReplica(), 2))
                .append(" in flight per replica ")
                .append(cause.queued() ? ">" : "<=")
                .append(" knee ")
                .append(knee(profile))
                .append("; ")
                .append(app.replicas())
                .append(" -> ")
                .append(replicas);
        if (bySaturation) {
            reason.append(" by its backlog: self time rising ")
                    .append(number(trend.growthPerSecond(), 2))
                    .append(" s per s, so requests arrive ")
                    .append(number(overload, 2))
                    .append(" x as fast as ")
                    .append(app.replicas())
                    .append(app.replicas() == 1 ? " replica serves" : " replicas serve")
                    .append(": ")
                    .append(app.replicas())
                    .append(" x ")
                    .append(number(overload, 2))
                    .append(" / ")
                    .append(number(config.targetUtilization(), 2))
                    .append(" = ")
                    .append(number(exact, 2))
                    .append(" replicas");
        } else {
            reason.append(" by Little's law: ")
                    .append(number(app.metrics().rate(), 1))
                    .append(" rps x ")
                    .append(number(app.metrics().selfMs() / 1000, 3))
                    .append(" s / (")
                    .append(number(profile.knee(), 2))
                    .append(" x ")
                    .append(number(config.targetUtilization(), 2))
                    .append(") = ")
                    .append(number(littles, 2))
                    .append(" replicas");
        }
        if (doubled) {
            reason.append(", at most doubled while its self time has no trend yet: ")
                    .append(app.replicas())
                    .append(" x 2");
        }
        if (needed > spec.effectiveMaxReplicas()) {
            reason.append(", capped at max ").append(spec.effectiveMaxReplicas());
        } else if (needed < spec.effectiveMinReplicas()) {
            reason.append(", raised to min ").append(spec.effectiveMinReplicas());
        }
        return Optional.of(new ScaleDecision(app.app(), replicas, reason.toString()));
    }

    /**
     * Whether sizing a queued app waits: its self time just started to rise (Little's law would size a backlog that
     * has only begun, and the next tick tells it from a step in cost), or its replica count changed less than a window
     * ago. Then its window still holds requests that queued before, and the backlog the old replicas hold drains at
     * their pace only (new replicas take new requests, not queued ones), so its self time goes on rising for a while
     * even when the new count is enough.
     */
    private boolean waitsForTrend(AppView app, SelfTimeTrend trend, Instant now) {
        return trend.direction() == SelfTimeTrend.Direction.STARTS_TO_RISE
                || histories.get(app.app()).changedWithin(now, window(app.metrics()));
    }

    private Optional<ScaleDecision> scaleDown(
            Map<AppRef, AppView> apps, AppView app, AppProfile profile, AppHistory history, Instant now) {
        AppSpec spec = app.spec();
        int replicas = Math.max(spec.effectiveMinReplicas(), Math.min(spec.effectiveMaxReplicas(), app.replicas() - 1));
        if (!hasData(app) || replicas >= app.replicas()) {
            history.notComfortable();
            return Optional.empty();
        }
        List<Miss> own = Miss.latencyTargets(app);
        List<Miss> judges = new ArrayList<>(own);
        for (AppRef caller : CallGraph.callersAbove(apps, app.app())) {
            if (hasData(apps.get(caller))) {
                judges.addAll(Miss.latencyTargets(apps.get(caller)));
            }
        }
        boolean comfortable = !judges.isEmpty()
                && judges.stream().allMatch(judge -> judge.observedMs() <= config.scaleDownBelow() * judge.targetMs());
        double inFlight = inFlight(app);
        double utilization = inFlight / (replicas * profile.knee());
        if (!comfortable || utilization >= config.scaleDownUtilization()) {
            history.notComfortable();
            return Optional.empty();
        }
        Duration calm = Duration.between(history.comfortableSince(now), now);
        Duration steady = config.scaleDownAfter().compareTo(window(app.metrics())) >= 0
                ? config.scaleDownAfter()
                : window(app.metrics());
        if (calm.compareTo(config.scaleDownAfter()) < 0 || !history.stableFor(now, steady)) {
            return Optional.empty();
        }
        // The next removal waits as long again, whether or not the host carries this one out.
        history.comfortableAgainFrom(now);
        StringBuilder reason = new StringBuilder();
        if (own.isEmpty()) {
            reason.append(label(app.app(), app.app())).append(" has no latency target of its own; ");
        }
        reason.append(judges.stream()
                        .map(judge -> label(judge.app(), app.app()) + " " + judge.percentile() + " "
                                + ms(judge.observedMs()) + " ms of a " + ms(judge.targetMs()) + " ms target")
                        .collect(Collectors.joining(", ")))
                .append(judges.size() == 1 ? " (under " : " (all under ")
                .append(percent(config.scaleDownBelow()))
                .append(" of target) for ")
                .append(seconds(calm))
                .append("; ")
                .append(number(inFlight, 2))
                .append(" in flight would use ")
                .append(number(utilization, 2))
                .append(" of ")
                .append(replicas)
                .append(replicas == 1 ? " replica" : " replicas")
                .append(" at knee ")
                .append(knee(profile))
                .append(", under ")
                .append(number(config.scaleDownUtilization(), 2))
                .append("; ")
                .append(app.replicas())
                .append(" -> ")
                .append(replicas)
                .append(", one replica at a time");
        return Optional.of(new ScaleDecision(app.app(), replicas, reason.toString()));
    }

    /**
     * Whether the app's figures count: it runs, and its window holds at least {@code min-spans} spans with finite
     * figures.
     */
    private boolean hasData(AppView app) {
        WindowMetrics metrics = app.metrics();
        return app.replicas() > 0
                && metrics.spans() >= config.minSpans()
                && metrics.rate() > 0
                && Double.isFinite(metrics.rate())
                && metrics.selfMs() >= 0
                && Double.isFinite(metrics.selfMs())
                && Double.isFinite(metrics.p95Ms())
                && Double.isFinite(metrics.p99Ms());
    }

    /** Requests being worked on, by Little's law: arrival rate times the time each spends in the app itself. */
    private static double inFlight(AppView app) {
        return app.metrics().rate() * app.metrics().selfMs() / 1000;
    }

    private static Duration window(WindowMetrics metrics) {
        return Duration.ofMillis(Math.round(Math.max(0, metrics.windowSeconds()) * 1000));
    }

    private static String knee(AppProfile profile) {
        return number(profile.knee(), 2) + (profile.kneeLearned() ? " (learned)" : " (default)");
    }

    /** An app's name as the event log of {@code reader} shows it: the bare name within one owner's apps. */
    private static String label(AppRef app, AppRef reader) {
        return app.owner().equals(reader.owner()) ? app.name() : app.toString();
    }

    /**
     * An app weighed as the cause of a miss.
     *
     * @param reach      the share of the missing app's requests that reach it
     * @param inFlight   requests it is working on, all replicas together
     * @param perReplica the same per replica
     */
    private record Suspect(
            AppView view,
            double reach,
            double inFlight,
            double perReplica,
            boolean grown,
            boolean queued,
            AppProfile profile,
            SelfTimeTrend trend) {}
}
