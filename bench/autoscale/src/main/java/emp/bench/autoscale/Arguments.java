package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The experiment's command line, parsed (see {@link AutoscaleExperiment} for what each flag does). Only the syntax is
 * checked here; files are read later.
 *
 * @param repo        the repository root
 * @param quick       short runs
 * @param reportOnly  no runs, only the plots and table
 * @param policies    the policies to run, in order
 * @param scenarios   the scenarios to run; empty for the default of the run's length
 * @param summary     where the markdown section goes; empty for the results folder's {@code summary.md}
 * @param command     the command line to name in the section
 * @param warmup      the warm-up in seconds; empty for the default of the run's length
 * @param length      the measured seconds; empty for the default of the run's length
 * @param kpaTarget   the KPA's concurrency target per replica
 * @param plugins     the {@code --plugin} jars, absolute, in order
 */
record Arguments(
        Path repo,
        boolean quick,
        boolean reportOnly,
        List<Policy> policies,
        Optional<List<String>> scenarios,
        Optional<Path> summary,
        String command,
        OptionalInt warmup,
        OptionalInt length,
        double kpaTarget,
        List<Path> plugins) {

    static final String USAGE = "expected --repo DIR, --quick, --policies LIST, --scenarios LIST, --plugin FILE.jar,"
            + " --report-only, --summary FILE, --command TEXT, --warmup S, --length S, --kpa-target C";

    Arguments {
        requireNonNull(repo, "repo is null");
        policies = List.copyOf(policies);
        scenarios = scenarios.map(List::copyOf);
        requireNonNull(summary, "summary is null");
        requireNonNull(command, "command is null");
        requireNonNull(warmup, "warmup is null");
        requireNonNull(length, "length is null");
        plugins = List.copyOf(plugins);
    }

    /**
     * Parses {@code args}; relative paths are taken from the current folder.
     *
     * @throws IllegalArgumentException naming an unknown flag, a flag without its value, or a policy that is neither
     *                                  built in nor possibly a {@code --plugin} jar's scheduler
     */
    static Arguments parse(String... args) {
        Path repo = Path.of(".").toAbsolutePath().normalize();
        boolean quick = false;
        boolean reportOnly = false;
        String policies = null;
        List<String> scenarios = null;
        Path summary = null;
        String command = "bench/autoscale/run.sh";
        Integer warmup = null;
        Integer length = null;
        double kpaTarget = KpaPolicy.Parameters.defaults().targetPerReplica();
        List<Path> plugins = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--repo" ->
                    repo = Path.of(value(args, ++i, "--repo")).toAbsolutePath().normalize();
                case "--quick" -> quick = true;
                case "--report-only" -> reportOnly = true;
                case "--policies", "--policy" -> policies = value(args, ++i, "--policies");
                case "--scenarios" ->
                    scenarios = List.of(value(args, ++i, "--scenarios").split(","));
                case "--plugin" ->
                    plugins.add(Path.of(value(args, ++i, "--plugin"))
                            .toAbsolutePath()
                            .normalize());
                case "--summary" -> summary = Path.of(value(args, ++i, "--summary"));
                case "--command" -> command = value(args, ++i, "--command");
                case "--warmup" -> warmup = integer(value(args, ++i, "--warmup"), "--warmup");
                case "--length" -> length = integer(value(args, ++i, "--length"), "--length");
                case "--kpa-target" -> kpaTarget = number(value(args, ++i, "--kpa-target"), "--kpa-target");
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; " + USAGE);
            }
        }
        // --policies is resolved once every --plugin is known, wherever it stands on the line.
        return new Arguments(
                repo,
                quick,
                reportOnly,
                policies == null ? Policy.BUILT_IN : Policy.parse(policies, !plugins.isEmpty()),
                Optional.ofNullable(scenarios),
                Optional.ofNullable(summary),
                command,
                warmup == null ? OptionalInt.empty() : OptionalInt.of(warmup),
                length == null ? OptionalInt.empty() : OptionalInt.of(length),
                kpaTarget,
                plugins);
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[index];
    }

    private static int integer(String value, String flag) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " is '" + value + "'; expected a whole number of seconds");
        }
    }

    private static double number(String value, String flag) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " is '" + value + "'; expected a number, such as 1.0");
        }
    }
}
