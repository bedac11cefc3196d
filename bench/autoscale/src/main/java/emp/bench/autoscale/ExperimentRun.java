package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One policy in one scenario: a private server, the scenario's stack with its knobs, a warm-up at the base rate, then
 * the schedule against the stack's entry app (and, in leaf-cost, the cost change and its undoing), while every app's
 * replicas and figures are sampled each second; afterwards the apps' event logs, and the server stopped with
 * everything it ran.
 */
final class ExperimentRun {
    private static final Logger log = LoggerFactory.getLogger(ExperimentRun.class);
    private static final String USER = "bench";
    /** Closed-loop requests right after the deploy, before the warm-up: each JVM's first requests are slow. */
    private static final int PREWARM_REQUESTS = 200;

    /**
     * @param emp            the distribution's {@code bin/emp}
     * @param repo           the repository root, which the scenarios' stack files are relative to
     * @param songsJar       the jar the songs stack runs (the distribution's {@code examples/songs.jar})
     * @param work           where servers keep their state (removed by the caller)
     * @param warmup         seconds at the base rate before second 0
     * @param length         measured seconds
     * @param hpaPeriod      the HPA's sync period
     * @param hpaDownWindow  the HPA's scale-down stabilization window
     * @param kpa            the KPA's parameters
     * @param kpaTick        how often the KPA decides
     * @param serverSettings {@code --set KEY=VALUE}s for every server
     * @param distributionPlugins the distribution's {@code plugins} folder
     * @param plugins        jars every server loads beside the distribution's ({@code --plugin}); with any, each
     *                       server gets a plugins folder of its own holding both
     */
    record Settings(
            Path emp,
            Path repo,
            Path songsJar,
            Path work,
            int warmup,
            int length,
            Duration hpaPeriod,
            Duration hpaDownWindow,
            KpaPolicy.Parameters kpa,
            Duration kpaTick,
            List<String> serverSettings,
            Path distributionPlugins,
            List<PluginJar> plugins) {
        Settings {
            requireNonNull(emp, "emp is null");
            requireNonNull(repo, "repo is null");
            requireNonNull(songsJar, "songsJar is null");
            requireNonNull(work, "work is null");
            requireNonNull(hpaPeriod, "hpaPeriod is null");
            requireNonNull(hpaDownWindow, "hpaDownWindow is null");
            requireNonNull(kpa, "kpa is null");
            requireNonNull(kpaTick, "kpaTick is null");
            serverSettings = List.copyOf(serverSettings);
            requireNonNull(distributionPlugins, "distributionPlugins is null");
            plugins = List.copyOf(plugins);
        }

        /** The stack file of {@code stack}. */
        Path stackFile(Scenario.Stack stack) {
            return repo.resolve(stack.file());
        }
    }

    private ExperimentRun() {}

    static RunData run(Settings settings, Scenario scenario, Policy policy) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory(
                Files.createDirectories(settings.work()), RunData.baseName(scenario.name(), policy.label()) + "-");
        Scenario.Stack stack = scenario.stack();
        Path stackFile = settings.stackFile(stack);
        if (!Files.isRegularFile(stackFile)) {
            throw new IllegalStateException("the " + stack.name() + " stack's file " + stackFile + " is missing");
        }
        List<String> markers = List.of(
                settings.songsJar().toString(),
                stackFile.toAbsolutePath().getParent().toString());
        List<String> serverSettings = new ArrayList<>(settings.serverSettings());
        if (!settings.plugins().isEmpty()) {
            // A plugins folder of the run's own: the distribution's jars and the --plugin ones.
            Path plugins = work.resolve("plugins");
            try {
                List<String> jars = PluginJar.assemble(settings.distributionPlugins(), settings.plugins(), plugins);
                log.info("{} / {}: the server's plugins: {}", scenario.name(), policy.label(), jars);
            } catch (IOException e) {
                deleteQuietly(work);
                throw e;
            }
            serverSettings.add("plugins.dir=" + plugins);
        }
        Path keptLog = settings.work().resolve(RunData.baseName(scenario.name(), policy.label()) + ".server.log");
        try (PrivateServer server = start(settings, work, policy, serverSettings, markers, keptLog)) {
            EmpApi api = new EmpApi(server.api());
            api.createAccountAndLogin(USER, "bench-password-1");
            Path costFile = work.resolve("cost");
            ArrayNode specs = StackSpec.build(
                    stackFile,
                    Map.of(
                            "${EMP_SPEC_DIR}/target/songs.jar",
                            settings.songsJar().toString()),
                    scenario,
                    costFile);
            double target = entryTarget(specs, stack);
            api.deploy(specs);
            awaitReady(api, specs.size(), server, stack);
            URI entry =
                    URI.create("http://127.0.0.1:" + server.gatewayPort() + "/" + USER + "/" + stack.entryApp() + "/");
            LoadGenerator generator = new LoadGenerator(entry, Duration.ofSeconds(10));
            generator.prewarm(PREWARM_REQUESTS);
            log.info(
                    "{} / {}: stack ready and warmed by {} requests; {} s warm-up, {} s measured",
                    scenario.name(),
                    policy.label(),
                    PREWARM_REQUESTS,
                    settings.warmup(),
                    settings.length());

            long zeroNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.warmup());
            Instant zeroWall = Instant.now().plusSeconds(settings.warmup());
            Sampler sampler = new Sampler(api, server, zeroNanos, -settings.warmup(), settings.length());
            List<Thread> helpers = new ArrayList<>();
            helpers.add(daemon("sampler", sampler));
            if (policy.controller() == Policy.Controller.HPA) {
                helpers.add(daemon(
                        "hpa",
                        new HpaController(api, new HpaPolicy(0.1, settings.hpaDownWindow()), settings.hpaPeriod())));
            }
            if (policy.controller() == Policy.Controller.KPA) {
                helpers.add(daemon("kpa", new KpaController(api, new KpaPolicy(settings.kpa()), settings.kpaTick())));
            }
            scenario.costChange()
                    .ifPresent(change -> helpers.add(daemon("cost-change", () -> {
                        if (setCost(
                                api,
                                change,
                                change.after(),
                                costFile,
                                zeroNanos + (long) (scenario.schedule().changeAt() * 1e9))) {
                            setCost(
                                    api,
                                    change,
                                    change.before(),
                                    costFile,
                                    zeroNanos + (long) (scenario.dropAt() * 1e9));
                        }
                    })));

            LoadGenerator.Result result;
            try (generator) {
                result = generator.run(scenario.schedule(), zeroNanos, -settings.warmup(), settings.length());
            }
            for (Thread helper : helpers) {
                helper.interrupt();
            }
            for (Thread helper : helpers) {
                helper.join(TimeUnit.SECONDS.toMillis(15));
            }
            List<ScaleEvent> events = events(api, specs, zeroWall);
            return new RunData(
                    scenario.name(),
                    policy.label(),
                    scenario.title(),
                    settings.warmup(),
                    settings.length(),
                    scenario.schedule().changeAt(),
                    scenario.schedule().changeLength(),
                    scenario.dropAt(),
                    stack.entryApp(),
                    target,
                    scenario.bottleneck().app(),
                    scenario.bottleneck().baseReplicas(),
                    result.seconds().stream().map(LoadRow::of).toList(),
                    sampler.samples(),
                    events,
                    result.overall());
        } finally {
            // The server's output outlives the run's folder, for a look after a failure.
            Path output = work.resolve("server.log");
            if (Files.exists(output)) {
                Files.copy(output, keptLog, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            deleteQuietly(work);
        }
    }

    /**
     * Starts the run's server; when it does not start, says why in the server's own words and, for a scheduler of a
     * {@code --plugin} jar, which jar to pass.
     *
     * @param kept where the server's output is kept after the run
     */
    private static PrivateServer start(
            Settings settings, Path work, Policy policy, List<String> serverSettings, List<String> markers, Path kept)
            throws IOException, InterruptedException {
        try {
            return PrivateServer.start(settings.emp(), work, policy.serverScheduler(), serverSettings, markers);
        } catch (IllegalStateException e) {
            Optional<String> said = serverError(work.resolve("server.log"));
            if (!policy.fromPlugin()) {
                throw new IllegalStateException(
                        e.getMessage() + said.map(line -> " (" + line + ")").orElse(""), e);
            }
            throw new IllegalStateException(notStarted(policy, said, settings.plugins(), kept), e);
        }
    }

    /** What to do when the server of a policy from a {@code --plugin} jar does not start. */
    static String notStarted(Policy policy, Optional<String> said, List<PluginJar> plugins, Path kept) {
        return "the server of policy '" + policy.label() + "' did not start"
                + said.map(line -> " (" + line + ")").orElse("") + "; '" + policy.label()
                + "' is no built-in policy but the name of a scheduler (--scheduler " + policy.serverScheduler()
                + "): pass the jar of the plugin that provides it with --plugin FILE.jar (passed: "
                + (plugins.isEmpty()
                        ? "none"
                        : String.join(
                                ", ", plugins.stream().map(PluginJar::describe).toList()))
                + "); the server's output is in " + kept;
    }

    /** The error {@code emp server} printed before it exited ({@code emp server: ...}), if any. */
    private static Optional<String> serverError(Path log) {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(line -> line.startsWith("emp server: ")).reduce((first, second) -> second);
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** The entry app's {@code latency_p95_ms} target, what every second of the load is judged against. */
    static double entryTarget(ArrayNode specs, Scenario.Stack stack) {
        for (JsonNode spec : specs) {
            if (stack.entryApp().equals(spec.path("name").asText())) {
                for (JsonNode metric : spec.path("quality_metrics")) {
                    if ("latency_p95_ms".equals(metric.path("metric").asText())) {
                        return Double.parseDouble(metric.path("values").asText());
                    }
                }
            }
        }
        throw new IllegalArgumentException("the " + stack.name() + " stack (" + stack.file() + ") has no '"
                + stack.entryApp() + "' with a 'latency_p95_ms' quality metric; the experiment measures it");
    }

    private static void awaitReady(EmpApi api, int apps, PrivateServer server, Scenario.Stack stack)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            JsonNode list = api.apps();
            int ready = 0;
            for (JsonNode app : list) {
                if ("running".equals(app.path("state").asText())) {
                    ready++;
                }
                for (JsonNode instance : app.path("instances")) {
                    if (instance.hasNonNull("pid")) {
                        server.sawReplica(instance.get("pid").asLong());
                    }
                }
            }
            if (ready == apps) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + stack.name() + " stack was not running within 180 s (" + ready
                        + " of " + apps + " apps ready); the server's output is in " + server.logFile());
            }
            Thread.sleep(250);
        }
    }

    /**
     * At {@code atNanos}, writes {@code value} as the knob and restarts the app's replicas one at a time, each once
     * the one before is back, so the app never loses more than one replica at once.
     *
     * @return false when interrupted (the run is over)
     */
    private static boolean setCost(EmpApi api, Scenario.CostChange change, String value, Path costFile, long atNanos) {
        long wait = atNanos - System.nanoTime();
        while (wait > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            wait = atNanos - System.nanoTime();
        }
        try {
            String before = Files.readString(costFile).trim();
            Files.writeString(costFile, value);
            log.info(
                    "{} {}: {} -> {}; restarting its replicas one at a time",
                    change.app(),
                    change.variable(),
                    before,
                    value);
            Set<Long> old = new HashSet<>();
            for (JsonNode instance : api.app(change.app()).path("instances")) {
                if (instance.hasNonNull("pid")) {
                    old.add(instance.get("pid").asLong());
                }
            }
            for (long pid : old) {
                int readyBefore =
                        api.app(change.app()).path("replicas").path("ready").asInt();
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
                // The next one goes once this one is replaced: its pid gone, as many replicas ready as before (or as
                // many as are wanted, should a policy have scaled the app down meanwhile).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    JsonNode app = api.app(change.app());
                    boolean gone = true;
                    for (JsonNode instance : app.path("instances")) {
                        gone &= !(instance.hasNonNull("pid")
                                && instance.get("pid").asLong() == pid);
                    }
                    int wanted = Math.min(
                            readyBefore, app.path("replicas").path("desired").asInt());
                    if (gone && app.path("replicas").path("ready").asInt() >= wanted) {
                        break;
                    }
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            log.error("changing the cost of '{}' to {} failed: {}", change.app(), value, e.getMessage());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<ScaleEvent> events(EmpApi api, ArrayNode specs, Instant zeroWall) {
        List<ScaleEvent> events = new ArrayList<>();
        for (JsonNode spec : specs) {
            String app = spec.path("name").asText();
            for (JsonNode event : api.events(app)) {
                Instant time = Instant.parse(event.path("time").asText());
                int second = (int) Math.floor(Duration.between(zeroWall, time).toMillis() / 1000.0);
                events.add(new ScaleEvent(
                        second,
                        app,
                        event.path("type").asText(),
                        event.path("message").asText()));
            }
        }
        events.sort((a, b) -> Integer.compare(a.second(), b.second()));
        return events;
    }

    private static void deleteQuietly(Path folder) {
        try (var paths = Files.walk(folder)) {
            paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    log.debug("could not delete {}: {}", path, e.getMessage());
                }
            });
        } catch (IOException e) {
            log.warn("could not remove the run's folder {}: {}", folder, e.getMessage());
        }
    }
}
