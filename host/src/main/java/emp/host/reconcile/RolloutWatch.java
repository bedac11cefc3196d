package emp.host.reconcile;

import static java.util.Objects.requireNonNull;

import emp.host.apps.AppRecord;
import emp.host.apps.AppReleases;
import emp.host.apps.Release;
import emp.spi.PlatformException;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.spi.cluster.LogLine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Follows each app's newest release until its rollout ends: it succeeds once as many replicas of it are ready as the
 * app wants and no replica of an earlier one is left; it fails when its replicas crash {@value #CRASHES} times between
 * them, or are not all ready within the timeout, and the app then goes back to its last release that succeeded. Run
 * by the leading server's reconciler, after each app is reconciled, so that the cluster already knows the release.
 */
final class RolloutWatch {
    /** How many exits of a new release's replicas, between them, fail it. */
    static final int CRASHES = 3;
    /** How many of the failing replica's last lines a failure shows. */
    static final int LOG_LINES = 10;

    private final AppReleases releases;
    private final ClusterManager cluster;
    private final Clock clock;
    private final Duration timeout;
    /** The release of each app already known to be settled, so that a settled app costs no store read. */
    private final Map<String, Integer> settled = new HashMap<>();
    /** The apps checked whose release has not settled. */
    private final Set<String> underWay = new HashSet<>();

    RolloutWatch(AppReleases releases, ClusterManager cluster, Clock clock, Duration timeout) {
        this.releases = requireNonNull(releases, "releases is null");
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    /** Looks at the app's release once more; the app was just reconciled. */
    void check(AppRecord app) {
        underWay.add(app.id());
        settle(app);
        Integer known = settled.get(app.id());
        if (known != null && known == app.release()) {
            underWay.remove(app.id());
        }
    }

    private void settle(AppRecord app) {
        Integer known = settled.get(app.id());
        if (known != null && known == app.release()) {
            return;
        }
        Optional<Release> pending = releases.pending(app);
        if (pending.isEmpty()) {
            settled.put(app.id(), app.release());
            return;
        }
        Release release = pending.get();
        if (app.targetReplicas() == 0) {
            releases.succeeded(
                    app.id(),
                    release.version(),
                    app.running()
                            ? "no replica is wanted now; the next one runs it"
                            : "the app is stopped; its next" + " start runs it");
            settled.put(app.id(), app.release());
            return;
        }
        AppStatus status = cluster.status(app.ref());
        List<InstanceStatus> current = status.instances().stream()
                .filter(instance -> !instance.outdated())
                .toList();
        long ready = current.stream()
                .filter(instance -> instance.state() == InstanceState.READY)
                .count();
        boolean oldServe = status.instances().stream()
                .anyMatch(instance -> instance.outdated() && instance.state() != InstanceState.CRASHED);
        if (ready >= app.targetReplicas() && !oldServe) {
            releases.succeeded(
                    app.id(),
                    release.version(),
                    ready + " replica" + (ready == 1 ? "" : "s") + " ready in "
                            + seconds(Duration.between(release.createdAt(), clock.instant())));
            settled.put(app.id(), app.release());
            return;
        }
        int crashes = current.stream()
                .mapToInt(instance -> instance.restarts() + (instance.state() == InstanceState.CRASHED ? 1 : 0))
                .sum();
        Instant deadline = release.createdAt().plus(timeout);
        if (crashes >= CRASHES) {
            fail(app, release, "its replicas exited " + crashes + " times", current);
        } else if (clock.instant().isAfter(deadline)) {
            fail(
                    app,
                    release,
                    ready + " of " + app.targetReplicas() + " replicas were ready after " + seconds(timeout)
                            + " (release.timeout)",
                    current);
        }
    }

    /** Forgets apps that are gone. */
    void retain(Set<String> ids) {
        settled.keySet().retainAll(ids);
        underWay.retainAll(ids);
    }

    /** The apps whose newest release was last seen rolling out: looked at again every pass, changed or not. */
    Set<String> underWay() {
        return Set.copyOf(underWay);
    }

    private void fail(AppRecord app, Release release, String what, List<InstanceStatus> current) {
        StringBuilder why = new StringBuilder(what);
        Optional<InstanceStatus> worst = current.stream()
                .filter(instance -> instance.state() != InstanceState.READY)
                .max(Comparator.comparing((InstanceStatus instance) -> instance.state() == InstanceState.CRASHED)
                        .thenComparingInt(InstanceStatus::restarts));
        worst.ifPresent(instance -> {
            why.append("; replica ").append(instance.id()).append(" is ").append(lower(instance.state()));
            if (instance.message() != null) {
                why.append(": ").append(instance.message());
            }
            List<String> lines = lastLines(app, instance.id());
            if (!lines.isEmpty()) {
                why.append("\nits last log lines:");
                lines.forEach(line -> why.append("\n  ").append(line));
            }
        });
        releases.failed(app.id(), release.version(), why.toString());
        settled.remove(app.id());
    }

    private List<String> lastLines(AppRecord app, String instance) {
        try {
            List<String> lines = cluster.logs(app.ref(), 200).stream()
                    .filter(line -> line.instance().equals(instance))
                    .map(LogLine::line)
                    .toList();
            return lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size());
        } catch (PlatformException e) {
            return List.of("(its log cannot be read: " + e.getMessage() + ")");
        }
    }

    private static String lower(InstanceState state) {
        return state.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String seconds(Duration duration) {
        return duration.toSeconds() + "s";
    }
}
