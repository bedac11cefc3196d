package emp.bench.autoscale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaling experiment of issues 4 and 10: every policy in every scenario on a private EMP server, the runs'
 * data as CSV under the results folder, the plots and the table. Started by {@code bench/autoscale/run.sh}.
 *
 * <pre>
 * --repo DIR            the repository root (the distribution is DIR/dist/target/emp)
 * --quick               short runs (15 s warm-up, 150 s measured: change at 20 s, drop at 60 s) instead of the full
 *                       ones (30 s, 330 s: change at 60 s, drop at 180 s)
 * --policies a,b        of none, threshold, hpa, kpa, tracegraph (default: all; a policy whose plugin jar is not in
 *                       the distribution is skipped and said so), and the scheduler names of --plugin jars
 * --scenarios a,b       of leaf-cost, load-step, spike, serial-leaf, wave (default: the first four; wave too when
 *                       full)
 * --plugin FILE.jar     a plugin jar every run's server loads beside the distribution's (repeatable); a --policies
 *                       name that is not a built-in policy is the name of a scheduler such a jar provides, run as
 *                       the server's --scheduler
 * --report-only         no runs: the plots and table from the runs already in the results folder
 * --summary FILE        where the markdown section goes (default: results/summary.md)
 * --command TEXT        the command line to name in the section
 * --warmup S, --length S  other warm-up and measured lengths, in seconds
 * --kpa-target C        the KPA's concurrency target per replica before its 70 % utilization (default 1.0)
 * </pre>
 */
public final class AutoscaleExperiment {
    private static final Logger log = LoggerFactory.getLogger(AutoscaleExperiment.class);
    private static final List<String> QUICK_SCENARIOS = List.of("leaf-cost", "load-step", "spike", "serial-leaf");
    private static final List<String> FULL_SCENARIOS =
            List.of("leaf-cost", "load-step", "spike", "serial-leaf", "wave");

    private AutoscaleExperiment() {}

    public static void main(String[] args) throws Exception {
        Arguments arguments = Arguments.parse(args);
        Path repo = arguments.repo();
        boolean quick = arguments.quick();
        List<Policy> policies = arguments.policies();
        List<PluginJar> plugins =
                arguments.plugins().stream().map(PluginJar::read).toList();
        if (!plugins.isEmpty() && policies.stream().noneMatch(Policy::fromPlugin)) {
            log.warn(
                    "every server loads {}, but no --policies name is a scheduler of theirs: add its name to"
                            + " --policies, e.g. --policies none,threshold,queue",
                    plugins.stream().map(PluginJar::describe).toList());
        }
        Map<String, Scenario> known = Scenario.all(quick);
        List<String> scenarios = arguments.scenarios().orElse(quick ? QUICK_SCENARIOS : FULL_SCENARIOS);
        for (String scenario : scenarios) {
            if (!known.containsKey(scenario)) {
                throw new IllegalArgumentException(
                        "unknown scenario '" + scenario + "'; expected one of " + FULL_SCENARIOS);
            }
        }
        Path dist = repo.resolve("dist/target/emp");
        Path results = repo.resolve("bench/autoscale/results");
        Files.createDirectories(results);
        List<String> skipped = new ArrayList<>();
        if (!arguments.reportOnly()) {
            ExperimentRun.Settings settings = new ExperimentRun.Settings(
                    dist.resolve("bin/emp"),
                    repo,
                    dist.resolve("examples/songs.jar"),
                    Path.of(System.getProperty("java.io.tmpdir"), "emp-autoscale"),
                    arguments.warmup().orElse(quick ? 15 : 30),
                    arguments.length().orElse(Scenario.length(quick)),
                    Duration.ofSeconds(15),
                    Duration.ofMinutes(5),
                    KpaPolicy.Parameters.withTarget(arguments.kpaTarget()),
                    Duration.ofSeconds(2),
                    List.of(),
                    dist.resolve("plugins"),
                    plugins);
            requireFile(settings.emp(), "build the distribution: mvn -B -q package -DskipTests (at the root)");
            requireFile(settings.songsJar(), "build the distribution: mvn -B -q package -DskipTests (at the root)");
            for (String name : scenarios) {
                double drop = known.get(name).dropAt();
                if (!Double.isNaN(drop) && settings.length() <= drop) {
                    log.warn(
                            "{}: the run ends at {} s, before or at its drop at {} s: it will not show the"
                                    + " scale-down",
                            name,
                            settings.length(),
                            drop);
                }
            }
            for (String name : scenarios) {
                for (Policy policy : policies) {
                    if (policy.distributionJar().isPresent()
                            && !Files.exists(dist.resolve("plugins")
                                    .resolve(policy.distributionJar().get()))
                            && plugins.stream()
                                    .noneMatch(jar -> jar.file()
                                            .getFileName()
                                            .toString()
                                            .equals(policy.distributionJar().get()))) {
                        String why = name + "/" + policy.label() + " (no "
                                + policy.distributionJar().get() + " in dist/target/emp/plugins)";
                        log.warn("skipped {}", why);
                        skipped.add(why);
                        continue;
                    }
                    log.info("run {} / {}", name, policy.label());
                    try {
                        RunData run = ExperimentRun.run(settings, known.get(name), policy);
                        run.write(results);
                        RunSummary s = RunSummary.of(run);
                        log.info(
                                "{} / {}: {} s of {} in violation, {} replica-s, {} failed, p95 {} ms, recovery {},"
                                        + " back to base {}, scaled: {}",
                                name,
                                policy.label(),
                                s.violationSeconds(),
                                s.measuredSeconds(),
                                Math.round(s.replicaSeconds()),
                                s.failed(),
                                Math.round(s.p95Ms()),
                                s.recoverySeconds().isPresent()
                                        ? s.recoverySeconds().getAsInt() + " s"
                                        : "never",
                                !s.hasDrop()
                                        ? "n/a"
                                        : s.backToBaseSeconds().isPresent()
                                                ? s.backToBaseSeconds().getAsInt() + " s"
                                                : "never",
                                s.scaled());
                    } catch (IOException | RuntimeException e) {
                        log.error("run {} / {} failed", name, policy.label(), e);
                        skipped.add(name + "/" + policy.label() + " (failed: " + e.getMessage() + ")");
                    }
                }
            }
        }
        Map<String, List<RunData>> runs = new LinkedHashMap<>();
        for (String name : scenarios) {
            List<RunData> list = new ArrayList<>();
            for (String policy : recordedPolicies(results, name)) {
                list.add(RunData.read(results, name, policy));
            }
            if (!list.isEmpty()) {
                Charts.drawScenario(list, results.resolve(name + ".png"));
                runs.put(name, list);
            }
        }
        Report.csv(runs, results.resolve("summary.csv"));
        String markdown = Report.markdown(runs, skipped, header(arguments.command(), plugins));
        Path out = arguments.summary().orElse(results.resolve("summary.md"));
        Files.writeString(out, markdown);
        System.out.println(markdown);
    }

    private static List<String> header(String command, List<PluginJar> plugins) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("Date: " + LocalDate.now() + ". Command: `" + command + "`.");
        lines.add("Machine: " + Machine.describe() + ".");
        if (!plugins.isEmpty()) {
            lines.add("Plugins beside the distribution's: "
                    + plugins.stream().map(jar -> "`" + jar.describe() + "`").collect(Collectors.joining(", "))
                    + ".");
        }
        return lines;
    }

    /**
     * The policies with a run of {@code scenario} in {@code results}: the built-in ones in their order, then those of
     * plugins, by name.
     */
    static List<String> recordedPolicies(Path results, String scenario) throws IOException {
        String prefix = RunData.baseName(scenario, "");
        String suffix = ".run.json";
        List<String> recorded = new ArrayList<>();
        try (Stream<Path> files = Files.list(results)) {
            files.map(file -> file.getFileName().toString())
                    .filter(file -> file.startsWith(prefix) && file.endsWith(suffix))
                    .map(file -> file.substring(prefix.length(), file.length() - suffix.length()))
                    .filter(policy -> !policy.isEmpty())
                    .sorted()
                    .forEach(recorded::add);
        }
        List<String> ordered = new ArrayList<>();
        for (Policy policy : Policy.BUILT_IN) {
            if (recorded.remove(policy.label())) {
                ordered.add(policy.label());
            }
        }
        ordered.addAll(recorded);
        return ordered;
    }

    private static void requireFile(Path file, String fix) {
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " is missing; " + fix);
        }
    }
}
