package emp.scheduler.threshold;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.ClusterView;
import emp.spi.scheduler.ScaleDecision;
import emp.spi.scheduler.Scheduler;
import emp.spi.scheduler.WindowMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The baseline: the simple rule policy the original platform sketched, one replica at a time, each app judged
 * alone from its own quality targets and its own window.
 *
 * <ul>
 *   <li><b>Up</b>: when the window misses any of the app's targets ({@code latency_p95_ms}, {@code latency_p99_ms},
 *       {@code error_rate}, {@code availability}), one replica more, up to the app's {@code max_replicas}.
 *   <li><b>Down</b>: when the window is well under every one of those targets (under
 *       {@link ThresholdConfig#scaleDownBelow()} of each) and the load is low, one replica fewer, down to the app's
 *       {@code min_replicas} and never to zero. The load is low when the rate per replica that the app would have with
 *       one replica fewer is under the low rate: the configured {@link ThresholdConfig#lowRatePerReplica()}, or else
 *       the rate per ready replica at which this app last missed a target (the load it could not carry), or else
 *       {@link ThresholdConfig#FALLBACK_LOW_RATE_PER_REPLICA}. Judging the count after the removal, not the count
 *       now, keeps the rule from removing the replica it has just added.
 *   <li>Left alone: an app without a target the rule judges, an app with no replicas (stopped, or set to zero by a
 *       person), and an app whose window holds fewer than {@link ThresholdConfig#minSpans()} spans.
 * </ul>
 *
 * <p>Call edges are never read: a caller that is slow only because its callee is slow is scaled like any other app
 * that misses its target. That is the baseline's known weakness, and what the trace-graph scheduler is compared on.
 *
 * <p>State kept between ticks: per app, the rate per ready replica at the last tick it missed a target, whether or
 * not the host then acted (cool-downs may hold a scale-up back; the miss was observed all the same). It is forgotten
 * when the app leaves the view (removed or stopped). No clock is read; cool-downs are the host's.
 *
 * <p>Not thread-safe; the host calls {@link #decide} from one thread.
 */
public final class ThresholdScheduler implements Scheduler {
    private static final Logger log = LoggerFactory.getLogger(ThresholdScheduler.class);

    private final ThresholdConfig config;
    private final Map<AppRef, Double> missedAtRatePerReplica = new HashMap<>();

    public ThresholdScheduler(ThresholdConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    /** @return at most one decision per app, in the order of the apps' references */
    @Override
    public List<ScaleDecision> decide(ClusterView view) {
        requireNonNull(view, "view is null");
        missedAtRatePerReplica.keySet().retainAll(view.apps().keySet());
        List<ScaleDecision> decisions = new ArrayList<>();
        view.apps().values().stream()
                .sorted(Comparator.comparing(app -> app.app().toString()))
                .forEach(app -> judge(app).ifPresent(decisions::add));
        return List.copyOf(decisions);
    }

    private Optional<ScaleDecision> judge(AppView app) {
        List<Target> targets = Target.of(app.spec());
        WindowMetrics window = app.metrics();
        if (targets.isEmpty() || app.replicas() == 0) {
            return Optional.empty();
        }
        if (window.spans() < config.minSpans()) {
            log.debug(
                    "'{}' left alone: {} spans in its window, fewer than {}",
                    app.app(),
                    window.spans(),
                    config.minSpans());
            return Optional.empty();
        }
        List<String> misses = new ArrayList<>();
        targets.forEach(target -> target.missed(window).ifPresent(misses::add));
        if (!misses.isEmpty()) {
            if (app.ready() > 0 && window.rate() > 0) {
                missedAtRatePerReplica.put(app.app(), window.rate() / app.ready());
            }
            return change(app, app.replicas() + 1, String.join("; ", misses));
        }
        return scaleDown(app, targets, window);
    }

    private Optional<ScaleDecision> scaleDown(AppView app, List<Target> targets, WindowMetrics window) {
        int fewer = app.replicas() - 1;
        if (fewer < Math.max(1, app.spec().effectiveMinReplicas())) {
            return Optional.empty();
        }
        List<String> margins = new ArrayList<>();
        for (Target target : targets) {
            Optional<String> margin = target.wellUnder(window, config.scaleDownBelow());
            if (margin.isEmpty()) {
                return Optional.empty();
            }
            margins.add(margin.get());
        }
        double ratePerReplica = window.rate() / fewer;
        LowRate low = lowRate(app.app());
        if (ratePerReplica >= low.rate()) {
            return Optional.empty();
        }
        return change(
                app,
                fewer,
                String.join(", ", margins) + "; " + Numbers.format(ratePerReplica)
                        + " rps per replica with one fewer < " + Numbers.format(low.rate()) + " rps per replica "
                        + low.source());
    }

    private Optional<ScaleDecision> change(AppView app, int replicas, String reason) {
        if (replicas == app.replicas()
                || replicas > app.spec().effectiveMaxReplicas()
                || replicas < app.spec().effectiveMinReplicas()) {
            log.debug("'{}' stays at {} replicas, its bounds: {}", app.app(), app.replicas(), reason);
            return Optional.empty();
        }
        return Optional.of(new ScaleDecision(app.app(), replicas, reason));
    }

    private LowRate lowRate(AppRef app) {
        if (config.lowRatePerReplica().isPresent()) {
            return new LowRate(
                    config.lowRatePerReplica().getAsDouble(),
                    "(" + ThresholdConfig.SECTION + "." + ThresholdConfig.LOW_RATE_PER_REPLICA + ")");
        }
        Double missedAt = missedAtRatePerReplica.get(app);
        if (missedAt != null) {
            return new LowRate(missedAt, "at which it last missed its target");
        }
        return new LowRate(ThresholdConfig.FALLBACK_LOW_RATE_PER_REPLICA, "(the default until it misses its target)");
    }

    /** The rate per replica under which load counts as low, and where it came from, in words. */
    private record LowRate(double rate, String source) {}
}
