package emp.bench.autoscale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 *                       the distribution is skipped and said so)
 * --scenarios a,b       of leaf-cost, load-step, spike, serial-leaf, wave (default: the first four; wave too when
 *                       full)
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
        Path repo = Path.of(".").toAbsolutePath().normalize();
        boolean quick = false;
        boolean reportOnly = false;
        List<Policy> policies = Arrays.asList(Policy.values());
        List<String> scenarios = null;
        Path summary = null;
        String command = "bench/autoscale/run.sh";
        Integer warmup = null;
        Integer length = null;
        double kpaTarget = KpaPolicy.Parameters.defaults().targetPerReplica();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--repo" ->
                    repo = Path.of(value(args, ++i, "--repo")).toAbsolutePath().normalize();
                case "--quick" -> quick = true;
                case "--report-only" -> reportOnly = true;
                case "--policies" ->
                    policies = Arrays.stream(value(args, ++i, "--policies").split(","))
                            .map(Policy::of)
                            .toList();
                case "--scenarios" ->
                    scenarios = List.of(value(args, ++i, "--scenarios").split(","));
                case "--summary" -> summary = Path.of(value(args, ++i, "--summary"));
                case "--command" -> command = value(args, ++i, "--command");
                case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, "--warmup"));
                case "--length" -> length = Integer.parseInt(value(args, ++i, "--length"));
                case "--kpa-target" -> kpaTarget = Double.parseDouble(value(args, ++i, "--kpa-target"));
                default ->
                    throw new IllegalArgumentException("unknown argument '" + args[i]
                            + "'; expected --repo DIR, --quick, --policies LIST, --scenarios LIST, --report-only,"
                            + " --summary FILE, --command TEXT, --warmup S, --length S, --kpa-target C");
            }
        }
        Map<String, Scenario> known = Scenario.all(quick);
        if (scenarios == null) {
            scenarios = quick ? QUICK_SCENARIOS : FULL_SCENARIOS;
        }
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
        if (!reportOnly) {
            ExperimentRun.Settings settings = new ExperimentRun.Settings(
                    dist.resolve("bin/emp"),
                    repo,
                    dist.resolve("examples/songs.jar"),
                    Path.of(System.getProperty("java.io.tmpdir"), "emp-autoscale"),
                    warmup != null ? warmup : quick ? 15 : 30,
                    length != null ? length : Scenario.length(quick),
                    Duration.ofSeconds(15),
                    Duration.ofMinutes(5),
                    KpaPolicy.Parameters.withTarget(kpaTarget),
                    Duration.ofSeconds(2),
                    List.of());
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
                    if (policy.pluginJar().isPresent()
                            && !Files.exists(dist.resolve("plugins")
                                    .resolve(policy.pluginJar().get()))) {
                        String why = name + "/" + policy.label() + " (no "
                                + policy.pluginJar().get() + " in dist/target/emp/plugins)";
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
            for (Policy policy : Policy.values()) {
                if (Files.exists(results.resolve(RunData.baseName(name, policy.label()) + ".run.json"))) {
                    list.add(RunData.read(results, name, policy.label()));
                }
            }
            if (!list.isEmpty()) {
                Charts.drawScenario(list, results.resolve(name + ".png"));
                runs.put(name, list);
            }
        }
        Report.csv(runs, results.resolve("summary.csv"));
        String markdown = Report.markdown(runs, skipped, header(command));
        Path out = summary == null ? results.resolve("summary.md") : summary;
        Files.writeString(out, markdown);
        System.out.println(markdown);
    }

    private static List<String> header(String command) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("Date: " + LocalDate.now() + ". Command: `" + command + "`.");
        lines.add("Machine: " + Machine.describe() + ".");
        return lines;
    }

    private static void requireFile(Path file, String fix) {
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " is missing; " + fix);
        }
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[index];
    }
}
