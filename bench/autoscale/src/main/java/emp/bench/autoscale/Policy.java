package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A scaling policy compared, and how it runs: inside the server as its scheduler (a plugin of the distribution's, or
 * of a jar passed with {@code --plugin}), or in the harness against a server without one.
 *
 * @param label           the name in {@code --policies}, file names and tables
 * @param serverScheduler what {@code emp server --scheduler} gets
 * @param controller      the harness's controller that scales in the server's place, if any
 * @param distributionJar the plugin jar the distribution must hold for this policy, if any
 * @param fromPlugin      whether this is a scheduler of a {@code --plugin} jar rather than a built-in policy
 */
public record Policy(
        String label,
        String serverScheduler,
        Controller controller,
        Optional<String> distributionJar,
        boolean fromPlugin) {

    /** Who scales the apps besides the server's scheduler. */
    public enum Controller {
        /** Nobody: the server's scheduler alone, if it has one. */
        NONE,
        /** The Kubernetes HPA's algorithm ({@link HpaController}). */
        HPA,
        /** The Knative Pod Autoscaler's algorithm ({@link KpaController}). */
        KPA
    }

    /** No scaling: the server runs without a scheduler. */
    public static final Policy NONE = builtIn("none", "none", Controller.NONE, null);
    /** The threshold plugin, the per-app rule baseline. */
    public static final Policy THRESHOLD =
            builtIn("threshold", "threshold", Controller.NONE, "scheduler-threshold.jar");
    /** The Kubernetes HPA's algorithm, run by the harness as an external scheduler (the server has none). */
    public static final Policy HPA = builtIn("hpa", "none", Controller.HPA, null);
    /**
     * The Knative Pod Autoscaler's algorithm (concurrency per replica, stable and panic windows), run by the harness
     * as an external scheduler (the server has none).
     */
    public static final Policy KPA = builtIn("kpa", "none", Controller.KPA, null);
    /** The trace-graph plugin. */
    public static final Policy TRACEGRAPH =
            builtIn("tracegraph", "tracegraph", Controller.NONE, "scheduler-tracegraph.jar");

    /** The policies the experiment knows without a {@code --plugin} jar, in the order of its tables. */
    public static final List<Policy> BUILT_IN = List.of(NONE, THRESHOLD, HPA, KPA, TRACEGRAPH);

    /** What a scheduler's name may be to name a policy: EMP's lower-case names, safe in a file name. */
    private static final Pattern SCHEDULER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

    public Policy {
        requireNonNull(label, "label is null");
        requireNonNull(serverScheduler, "serverScheduler is null");
        requireNonNull(controller, "controller is null");
        requireNonNull(distributionJar, "distributionJar is null");
    }

    private static Policy builtIn(String label, String serverScheduler, Controller controller, String jar) {
        return new Policy(label, serverScheduler, controller, Optional.ofNullable(jar), false);
    }

    /**
     * The policies of a {@code --policies} list: each a built-in policy or, when {@code --plugin} jars are given, the
     * name of a scheduler one of them provides, run as the server's {@code --scheduler}. Whether a jar provides it is
     * only known once a server loads the jars: a run whose server does not start says so.
     *
     * @param list            comma-separated labels, e.g. {@code none,threshold,queue}
     * @param pluginsGiven    whether any {@code --plugin} jar was passed
     * @throws IllegalArgumentException naming a label that is neither, and what to pass
     */
    public static List<Policy> parse(String list, boolean pluginsGiven) {
        requireNonNull(list, "list is null");
        List<Policy> policies = new ArrayList<>();
        for (String raw : list.split(",")) {
            String label = raw.trim();
            Policy policy = builtIn(label).orElseGet(() -> plugin(label, pluginsGiven));
            if (!policies.contains(policy)) {
                policies.add(policy);
            }
        }
        return List.copyOf(policies);
    }

    private static Policy plugin(String name, boolean pluginsGiven) {
        if (!pluginsGiven) {
            throw new IllegalArgumentException("unknown policy '" + name + "'; expected one of " + builtInLabels()
                    + ", or the name of a scheduler in a plugin jar passed with --plugin FILE.jar");
        }
        if (!SCHEDULER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("policy '" + name + "' is no built-in policy (" + builtInLabels()
                    + ") nor a scheduler's name (lower-case letters, digits and '-', up to 40): check --policies");
        }
        return new Policy(name, name, Controller.NONE, Optional.empty(), true);
    }

    private static Optional<Policy> builtIn(String label) {
        return BUILT_IN.stream()
                .filter(policy -> policy.label().equals(label.trim()))
                .findFirst();
    }

    private static String builtInLabels() {
        return BUILT_IN.stream().map(Policy::label).collect(Collectors.joining(", "));
    }
}
