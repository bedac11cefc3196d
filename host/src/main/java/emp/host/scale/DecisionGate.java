package emp.host.scale;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What stands between a scheduler's verdict and the cluster: the app's bounds and the cool-downs. Up is fast, down
 * is slow: after any change an app may grow again after {@code upCooldown}, and shrink only after
 * {@code downCooldown}. Not thread-safe: the scaling loop's one thread uses it.
 */
public final class DecisionGate {
    private final Duration upCooldown;
    private final Duration downCooldown;
    private final Map<AppRef, Instant> lastChange = new HashMap<>();

    public DecisionGate(Duration upCooldown, Duration downCooldown) {
        this.upCooldown = requireNonNull(upCooldown, "upCooldown is null");
        this.downCooldown = requireNonNull(downCooldown, "downCooldown is null");
    }

    /**
     * The replica count to apply, or empty when the decision is held back.
     *
     * @param current   the app's replicas now
     * @param requested what the scheduler asked for
     * @return the count clamped to the app's bounds, unless it equals {@code current} or a cool-down holds
     */
    public Optional<Verdict> admit(AppRef app, AppSpec spec, int current, int requested, Instant now) {
        int target = Math.max(spec.effectiveMinReplicas(), Math.min(spec.effectiveMaxReplicas(), requested));
        if (target == current) {
            return Optional.empty();
        }
        Instant last = lastChange.get(app);
        Duration cooldown = target > current ? upCooldown : downCooldown;
        if (last != null && now.isBefore(last.plus(cooldown))) {
            return Optional.empty();
        }
        return Optional.of(new Verdict(target, target != requested));
    }

    /** Records that {@code app} was scaled at {@code now}. */
    public void changed(AppRef app, Instant now) {
        lastChange.put(app, now);
    }

    /** Forgets apps that are gone. */
    public void retain(Set<AppRef> apps) {
        lastChange.keySet().retainAll(apps);
    }

    /** @param replicas the count to apply; @param clamped whether the bounds changed what was asked */
    public record Verdict(int replicas, boolean clamped) {}
}
