package emp.bench.autoscale;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The scaling policies compared, and how each runs: inside the server as its scheduler, or in the harness. */
public enum Policy {
    /** No scaling: the server runs without a scheduler. */
    NONE("none", null),
    /** The threshold plugin, the per-app rule baseline. */
    THRESHOLD("threshold", "scheduler-threshold.jar"),
    /** The Kubernetes HPA's algorithm, run by the harness as an external scheduler (the server has none). */
    HPA("none", null),
    /** The Knative Pod Autoscaler's algorithm (concurrency per replica, stable and panic windows), run by the harness
     * as an external scheduler (the server has none). */
    KPA("none", null),
    /** The trace-graph plugin. */
    TRACEGRAPH("tracegraph", "scheduler-tracegraph.jar");

    private final String serverScheduler;
    private final String pluginJar;

    Policy(String serverScheduler, String pluginJar) {
        this.serverScheduler = serverScheduler;
        this.pluginJar = pluginJar;
    }

    /** The name in file names and tables. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** What {@code emp server --scheduler} gets. */
    public String serverScheduler() {
        return serverScheduler;
    }

    /** The plugin jar the distribution must hold for this policy, if any. */
    public Optional<String> pluginJar() {
        return Optional.ofNullable(pluginJar);
    }

    /** The policy called {@code label}, or an error that lists the known ones. */
    public static Policy of(String label) {
        for (Policy policy : values()) {
            if (policy.label().equals(label.trim())) {
                return policy;
            }
        }
        throw new IllegalArgumentException("unknown policy '" + label + "'; expected one of "
                + Arrays.stream(values()).map(Policy::label).collect(Collectors.joining(", ")));
    }
}
