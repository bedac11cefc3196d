package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One policy in one scenario: a private server, the songs stack with the scenario's knobs, a warm-up at the base
 * rate, then the schedule, while every app's replicas and figures are sampled each second; afterwards the apps'
 * event logs, and the server stopped with everything it ran.
 */
final class ExperimentRun {
    private static final Logger log = LoggerFactory.getLogger(ExperimentRun.class);
    private static final String USER = "bench";
    /** Closed-loop requests right after the deploy, before the warm-up: each JVM's first requests are slow. */
    private static final int PREWARM_REQUESTS = 200;

    /**
     * @param emp            the distribution's {@code bin/emp}
     * @param songsJar       the jar the stack runs
     * @param stackFile      {@code examples/songs/stack.json}
     * @param work           where servers keep their state (removed by the caller)
     * @param warmup         seconds at the base rate before second 0
     * @param length         measured seconds
     * @param hpaPeriod      the HPA's sync period
     * @param hpaDownWindow  the HPA's scale-down stabilization window
     * @param serverSettings {@code --set KEY=VALUE}s for every server
     */
    record Settings(
            Path emp,
            Path songsJar,
            Path stackFile,
            Path work,
            int warmup,
            int length,
            Duration hpaPeriod,
            Duration hpaDownWindow,
            List<String> serverSettings) {
        Settings {
            requireNonNull(emp, "emp is null");
            requireNonNull(songsJar, "songsJar is null");
            requireNonNull(stackFile, "stackFile is null");
            requireNonNull(work, "work is null");
            requireNonNull(hpaPeriod, "hpaPeriod is null");
            requireNonNull(hpaDownWindow, "hpaDownWindow is null");
            serverSettings = List.copyOf(serverSettings);
        }
    }

    private ExperimentRun() {}

    static RunData run(Settings settings, Scenario scenario, Policy policy) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory(
                Files.createDirectories(settings.work()), RunData.baseName(scenario.name(), policy.label()) + "-");
        try (PrivateServer server =
                PrivateServer.start(settings.emp(), work, policy.serverScheduler(), settings.serverSettings())) {
            EmpApi api = new EmpApi(server.api());
            api.createAccountAndLogin(USER, "bench-password-1");
            Path costFile = work.resolve("cost");
            ArrayNode specs = StackSpec.build(settings.stackFile(), settings.songsJar(), scenario, costFile);
            double target = aggregatorTarget(specs);
            api.deploy(specs);
            awaitReady(api, specs.size(), server);
            URI aggregator = URI.create("http://127.0.0.1:" + server.gatewayPort() + "/" + USER + "/aggregator/");
            LoadGenerator generator = new LoadGenerator(aggregator, Duration.ofSeconds(10));
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
            if (policy == Policy.HPA) {
                helpers.add(daemon(
                        "hpa",
                        new HpaController(api, new HpaPolicy(0.1, settings.hpaDownWindow()), settings.hpaPeriod())));
            }
            scenario.costChange()
                    .ifPresent(change -> helpers.add(daemon(
                            "cost-change",
                            () -> changeCost(
                                    api,
                                    change,
                                    costFile,
                                    zeroNanos + (long) (scenario.schedule().changeAt() * 1e9)))));

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
                    target,
                    result.seconds().stream().map(LoadRow::of).toList(),
                    sampler.samples(),
                    events,
                    result.overall());
        } finally {
            // The server's output outlives the run's folder, for a look after a failure.
            Path output = work.resolve("server.log");
            if (Files.exists(output)) {
                Files.copy(
                        output,
                        settings.work().resolve(RunData.baseName(scenario.name(), policy.label()) + ".server.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            deleteQuietly(work);
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static double aggregatorTarget(ArrayNode specs) {
        for (JsonNode spec : specs) {
            if ("aggregator".equals(spec.path("name").asText())) {
                for (JsonNode metric : spec.path("quality_metrics")) {
                    if ("latency_p95_ms".equals(metric.path("metric").asText())) {
                        return Double.parseDouble(metric.path("values").asText());
                    }
                }
            }
        }
        throw new IllegalArgumentException(
                "the stack has no 'aggregator' with a 'latency_p95_ms' quality metric; the experiment measures it");
    }

    private static void awaitReady(EmpApi api, int apps, PrivateServer server) throws InterruptedException {
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
                throw new IllegalStateException("the songs stack was not running within 180 s (" + ready + " of " + apps
                        + " apps ready); the server's output is in " + server.logFile());
            }
            Thread.sleep(250);
        }
    }

    /**
     * At {@code atNanos}, writes the new knob and restarts the app's replicas one at a time, each once the one before
     * is back, so the app never loses more than one replica at once.
     */
    private static void changeCost(EmpApi api, Scenario.CostChange change, Path costFile, long atNanos) {
        long wait = atNanos - System.nanoTime();
        while (wait > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            wait = atNanos - System.nanoTime();
        }
        try {
            Files.writeString(costFile, change.after());
            log.info(
                    "{} {}: {} -> {}; restarting its replicas one at a time",
                    change.app(),
                    change.variable(),
                    change.before(),
                    change.after());
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
                // The next one goes once this one is replaced: its pid gone, as many replicas ready as before.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    JsonNode app = api.app(change.app());
                    boolean gone = true;
                    for (JsonNode instance : app.path("instances")) {
                        gone &= !(instance.hasNonNull("pid")
                                && instance.get("pid").asLong() == pid);
                    }
                    if (gone && app.path("replicas").path("ready").asInt() >= readyBefore) {
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            log.error("changing the cost of '{}' failed: {}", change.app(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
