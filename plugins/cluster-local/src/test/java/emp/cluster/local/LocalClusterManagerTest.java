package emp.cluster.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import emp.gateway.Backend;
import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.app.AppSpec;
import emp.spi.app.EnvVar;
import emp.spi.app.HealthProbe;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LoadSecond;
import emp.spi.cluster.LogLine;
import emp.tck.cluster.AbstractClusterManagerTck;
import emp.tck.cluster.UnsupportedSpec;
import emp.testsupport.HelloJar;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster kit against real child processes (the hello example and small shell scripts), plus what only the local
 * cluster does: ports and environment, restarts with back-off, logs, SIGTERM then SIGKILL, adoption, the gateway.
 */
class LocalClusterManagerTest extends AbstractClusterManagerTck {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dataDir;

    private final List<LocalClusterManager> others = new ArrayList<>();

    @Override
    protected ClusterManager newManager() {
        return new LocalClusterManager(config(Map.of()), dataDir, Clock.systemUTC(), spans -> {});
    }

    @Override
    protected AppSpec runnableSpec(String name) {
        return new AppSpec(
                name,
                null,
                null,
                null,
                null,
                null,
                HelloJar.command(),
                null,
                null,
                null,
                null,
                new HealthProbe("/health"),
                null,
                null,
                null,
                null);
    }

    @Override
    protected AppSpec crashingSpec(String name) {
        return AppSpec.ofCommand(name, List.of("sh", "-c", "echo crashing soon; sleep 0.2; exit 3"));
    }

    @Override
    protected List<UnsupportedSpec> unsupportedSpecs() {
        AppSpec dockerOnly = new AppSpec(
                "songs",
                "emp/songs:1",
                null,
                8000,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        return List.of(
                new UnsupportedSpec(dockerOnly, "command"),
                new UnsupportedSpec(AppSpec.ofCommand("blank", List.of(" ", "app.jar")), "command"));
    }

    @AfterEach
    void closeOthers() {
        others.forEach(LocalClusterManager::close);
    }

    @Test
    void replicasGetTheirPortTheirEnvironmentAndTheirDependenciesUrls() throws Exception {
        Path dump = Files.createDirectories(dataDir.resolve("dump"));
        List<String> command = new ArrayList<>(List.of(
                "sh",
                "-c",
                "echo \"$1 $2 $3\" > \"$DUMP/args-$PORT\"; env > \"$DUMP/env-$PORT\"; pwd > \"$DUMP/pwd-$PORT\"; shift 3; exec \"$@\"",
                "sh",
                "--port=$PORT",
                "x${PORT}y",
                "$PORTS"));
        command.addAll(HelloJar.command());
        AppSpec spec = new AppSpec(
                "greet",
                null,
                null,
                null,
                List.of(
                        new EnvVar("GREETING", "bonjour"),
                        new EnvVar("DUMP", dump.toString()),
                        new EnvVar("PORT", "1")),
                null,
                command,
                null,
                null,
                null,
                null,
                null,
                List.of("song-db"),
                null,
                null,
                null);
        AppRef app = ref("greet");

        manager().deploy(deployment(app, spec, 1));

        InstanceStatus instance = awaitReady(app, 1).instances().get(0);
        int port = instance.endpoint().getPort();
        assertThat(get(instance.endpoint().resolve("/anything")).body())
                .contains(
                        "\"app\":\"tck/greet\"",
                        "\"port\":" + port,
                        "\"path\":\"/anything\"",
                        "\"message\":\"bonjour\"");
        assertThat(Files.readString(dump.resolve("args-" + port)))
                .isEqualTo("--port=" + port + " x" + port + "y $PORTS\n");
        List<String> environment = Files.readAllLines(dump.resolve("env-" + port));
        assertThat(environment)
                .contains(
                        "PORT=" + port,
                        "EMP_SERVICE_NAME=tck/greet",
                        "SONG_DB_URL=" + manager().entryPoint().orElseThrow() + "/tck/song-db",
                        "PATH=" + System.getenv("PATH"));
        assertThat(System.getenv("EMP_CLUSTER_LOCAL_TEST_SECRET"))
                .as("set by the module's build")
                .isEqualTo("hush");
        assertThat(environment)
                .as("the server's own settings stay with the server")
                .noneMatch(line -> line.startsWith("EMP_CLUSTER"));
        assertThat(Path.of(Files.readString(dump.resolve("pwd-" + port)).trim()).toRealPath())
                .as("each replica works in its own folder under the data folder")
                .startsWith(dataDir.toRealPath())
                .endsWith(Path.of("greet-1"));
    }

    @Test
    void gatewayRoutesToReadyReplicasOnly() throws Exception {
        AppRef app = ref("routed");
        manager().deploy(deployment(app, runnableSpec(app.name()), 2));
        AppStatus status = awaitReady(app, 2);
        URI endpoint = manager().endpoint(app).orElseThrow();

        assertThat(endpoint).isEqualTo(URI.create(manager().entryPoint().orElseThrow() + "/tck/routed/"));
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = get(endpoint.resolve("songs/" + i + "?x=1"));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"app\":\"tck/routed\"", "\"path\":\"/songs/" + i + "\"");
            // Its port tells the replicas apart: in PID namespaces of their own, each is pid 2 to itself.
            answered.add(response.body().replaceAll("(?s).*\"port\":(\\d+).*", "$1"));
        }
        assertThat(answered)
                .isEqualTo(status.instances().stream()
                        .map(instance -> Integer.toString(instance.endpoint().getPort()))
                        .collect(Collectors.toSet()));

        manager().scale(app, 0);
        awaitStatus(app, scaled -> assertThat(scaled.instances()).isEmpty());
        assertThat(get(endpoint).statusCode())
                .as("an app with no ready replica")
                .isEqualTo(503);

        manager().remove(app, false);
        assertThat(get(endpoint).statusCode()).as("an app that is gone").isEqualTo(404);
    }

    @Test
    void aReplicaScaledAwayFinishesItsRequestBeforeItIsStoppedAndTheGatewayCountsIt() throws Exception {
        AppRef app = ref("drained");
        manager().deploy(deployment(app, runnableSpec(app.name()), 1));
        awaitReady(app, 1);
        URI endpoint = manager().endpoint(app).orElseThrow();
        CompletableFuture<HttpResponse<String>> slow = HTTP.sendAsync(
                HttpRequest.newBuilder(endpoint.resolve("sleep?ms=1500")).build(),
                HttpResponse.BodyHandlers.ofString());
        waitUntil().until(() -> manager().load(app).orElseThrow().inFlight() == 1);

        manager().scale(app, 0);

        assertThat(manager().status(app).instances()).singleElement().satisfies(instance -> {
            assertThat(instance.state()).isEqualTo(InstanceState.STOPPING);
            assertThat(instance.message()).contains("draining: 1 request(s) in flight");
        });
        assertThat(slow.get().statusCode()).isEqualTo(200);
        assertThat(slow.get().body()).contains("\"path\":\"/sleep\"");
        awaitStatus(app, stopped -> assertThat(stopped.instances()).isEmpty());
        waitUntil().untilAsserted(() -> {
            LoadFigures load = manager().load(app).orElseThrow();
            assertThat(load.seconds().stream()
                            .mapToLong(LoadSecond::completions)
                            .sum())
                    .isEqualTo(1);
            assertThat(load.serviceMs(LoadFigures.MAX_SECONDS)).isGreaterThanOrEqualTo(1500);
        });
    }

    @Test
    void killedReplicaLeavesRotationAndComesBackWithANewPid() throws Exception {
        LocalClusterManager local = (LocalClusterManager) manager();
        AppRef app = ref("phoenix");
        Map<String, List<Backend>> routesWhenCrashed = new ConcurrentHashMap<>();
        local.watch(event -> {
            if (event.type() == ClusterEvent.Type.CRASHED) {
                routesWhenCrashed.put(event.instance(), local.routes(app).orElseThrow());
            }
        });
        local.deploy(deployment(app, runnableSpec(app.name()), 1));
        InstanceStatus before = awaitReady(app, 1).instances().get(0);
        assertThat(local.routes(app).orElseThrow())
                .extracting(backend -> backend.address().getPort())
                .containsExactly(before.endpoint().getPort());

        ProcessHandle.of(before.pid().getAsLong()).orElseThrow().destroyForcibly();

        InstanceStatus after = awaitStatus(app, status -> {
                    assertThat(status.instances()).hasSize(1);
                    assertThat(status.instances().get(0).state()).isEqualTo(InstanceState.READY);
                    assertThat(status.instances().get(0).restarts()).isEqualTo(1);
                })
                .instances()
                .get(0);
        assertThat(after.id()).isEqualTo(before.id());
        assertThat(after.pid()).isNotEqualTo(before.pid());
        assertThat(eventsOf(app, ClusterEvent.Type.CRASHED))
                .extracting(ClusterEvent::message)
                .containsExactly("replica phoenix-1 exited with code 137; restarting in 100ms");
        assertThat(eventsOf(app, ClusterEvent.Type.RESTARTED))
                .extracting(ClusterEvent::message)
                .containsExactly(
                        "replica phoenix-1 restarted as pid " + after.pid().getAsLong() + " on port "
                                + after.endpoint().getPort() + " (restart 1)");
        assertThat(routesWhenCrashed.get("phoenix-1"))
                .as("out of rotation before anyone hears of the crash")
                .extracting(backend -> backend.address().getPort())
                .doesNotContain(before.endpoint().getPort());
        assertThat(local.routes(app).orElseThrow())
                .extracting(backend -> backend.address().getPort())
                .containsExactly(after.endpoint().getPort());
    }

    @Test
    void backOffDoublesWhileAReplicaKeepsCrashing() {
        AppRef app = ref("loop");
        manager().deploy(deployment(app, crashingSpec(app.name()), 1));

        waitUntil()
                .untilAsserted(() ->
                        assertThat(eventsOf(app, ClusterEvent.Type.CRASHED)).hasSizeGreaterThanOrEqualTo(4));

        assertThat(eventsOf(app, ClusterEvent.Type.CRASHED))
                .extracting(ClusterEvent::message)
                .startsWith(
                        "replica loop-1 exited with code 3; restarting in 100ms",
                        "replica loop-1 exited with code 3; restarting in 200ms",
                        "replica loop-1 exited with code 3; restarting in 400ms",
                        "replica loop-1 exited with code 3; restarting in 800ms");
        assertThat(manager().status(app).instances())
                .singleElement()
                .satisfies(instance -> assertThat(instance.restarts()).isGreaterThanOrEqualTo(3));
    }

    @Test
    void logsHoldWhatEachReplicaWrote() {
        AppRef app = ref("chatty");
        manager().deploy(deployment(app, runnableSpec(app.name()), 1));
        InstanceStatus instance = awaitReady(app, 1).instances().get(0);
        // The pid it prints is its own as it sees it: 2 in a PID namespace of its own.
        String started = "hello: app 'tck/chatty' pid \\d+ listening on http://127\\.0\\.0\\.1:"
                + instance.endpoint().getPort();

        waitUntil()
                .untilAsserted(() -> assertThat(manager().logs(app, 1))
                        .singleElement()
                        .satisfies(line -> {
                            assertThat(line.instance()).isEqualTo("chatty-1");
                            assertThat(line.line()).matches(started);
                        }));
        assertThat(manager().logs(app, 10))
                .extracting(LogLine::line)
                .hasSize(2)
                .first()
                .asString()
                .startsWith("--- emp: ")
                .contains("starting replica chatty-1 on port "
                        + instance.endpoint().getPort());
        assertThat(manager().logBytes(app))
                .hasValue(dataDir.resolve("apps/tck/chatty/logs/chatty-1.log")
                        .toFile()
                        .length());
        assertThat(manager().logBytes(ref("nobody"))).isEmpty();
        assertThatThrownBy(() -> manager().logs(ref("nobody"), 10))
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND));
    }

    @Test
    void aReplicasLogIsRotatedAndKeepsOnlyItsNewestFiles() throws Exception {
        LocalClusterManager manager =
                start(dataDir.resolve("rotate"), Map.of("log-max-bytes", "4096", "log-files", "2"));
        AppRef app = ref("writer");
        manager.deploy(deployment(
                app,
                AppSpec.ofCommand(
                        "writer",
                        List.of(
                                "sh",
                                "-c",
                                "i=0; while true; do i=$((i+1)); echo \"line $i of a busy replica\"; done")),
                1));
        Path logs = dataDir.resolve("rotate/apps/tck/writer/logs");

        waitUntil().until(() -> Files.exists(logs.resolve("writer-1.log.2")));
        Set<String> kept = Set.of("writer-1.log", "writer-1.log.1", "writer-1.log.2");
        for (int look = 0; look < 20; look++) {
            // A listing may fall between a rotation's steps (.1 moved to .2, not yet made again), never beyond .2.
            try (var files = Files.list(logs)) {
                assertThat(files.map(file -> file.getFileName().toString()).toList())
                        .isSubsetOf(kept);
            }
            Thread.sleep(50);
        }
        waitUntil().untilAsserted(() -> {
            try (var files = Files.list(logs)) {
                assertThat(files.map(file -> file.getFileName().toString()).toList())
                        .containsExactlyInAnyOrderElementsOf(kept);
            }
        });
        assertThat(manager.logs(app, 5))
                .hasSize(5)
                .allSatisfy(line -> assertThat(line.line()).matches("line \\d+ of a busy replica"));
        manager.remove(app, false);
    }

    @Test
    void replicaThatIgnoresSigtermIsKilledAfterTheGrace() {
        LocalClusterManager local = start(dataDir.resolve("grace"), Map.of("stop-grace", "300ms"));
        List<ClusterEvent> events = new CopyOnWriteArrayList<>();
        local.watch(events::add);
        AppRef stubborn = ref("stubborn");
        AppRef polite = ref("polite");
        local.deploy(deployment(
                stubborn,
                AppSpec.ofCommand(
                        stubborn.name(),
                        List.of("sh", "-c", "trap '' TERM; echo trapped; while true; do sleep 1; done")),
                1));
        local.deploy(deployment(polite, runnableSpec(polite.name()), 1));
        waitUntil().untilAsserted(() -> {
            assertThat(local.status(stubborn).instances())
                    .singleElement()
                    .satisfies(instance -> assertThat(instance.pid()).isPresent());
            assertThat(local.status(polite).ready()).isEqualTo(1);
        });
        long stubbornPid = local.status(stubborn).instances().get(0).pid().getAsLong();

        local.scale(stubborn, 0);
        local.scale(polite, 0);

        waitUntil()
                .untilAsserted(() -> assertThat(events)
                        .filteredOn(event -> event.type() == ClusterEvent.Type.STOPPED)
                        .extracting(ClusterEvent::message)
                        .containsExactlyInAnyOrder(
                                "replica stubborn-1 did not stop within 300ms of SIGTERM and was killed",
                                "replica polite-1 stopped (exited with code 143)"));
        assertThat(ProcessHandle.of(stubbornPid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void withTenantUsersAReplicaCannotReadSignalOrReachAnotherTenantsReplicasOrTheServersData() throws Exception {
        assumeTrue(
                Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
                        && CommandLine.resolve("setpriv", System.getenv("PATH")).isPresent(),
                "needs root and util-linux's setpriv");
        Path dir = dataDir.resolve("sandbox");
        LocalClusterManager manager = start(dir, Map.of("sandbox", "tenant-users", "sandbox-uid-base", "230000"));
        Path secret = Files.writeString(dir.resolve("store.db"), "password hashes");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        AppRef victim = new AppRef("vic", "web");
        manager.deploy(deployment(victim, spec("web", List.of("sleep", "1000"), "SECRET", "swordfish"), 1));
        long victimPid = waitUntil()
                .until(
                        () -> manager.status(victim).instances().stream()
                                .findFirst()
                                .flatMap(instance -> instance.pid().isPresent()
                                        ? java.util.Optional.of(instance.pid().getAsLong())
                                        : java.util.Optional.empty()),
                        java.util.Optional::isPresent)
                .orElseThrow();
        String probe = "cat /proc/$VICTIM/environ > /dev/null 2>&1 && echo environ=read || echo environ=denied;"
                + " kill -0 $VICTIM 2> /dev/null && echo signal=sent || echo signal=denied;"
                + " cat $STORE > /dev/null 2>&1 && echo store=read || echo store=denied;"
                + " ls $VICTIM_DIR > /dev/null 2>&1 && echo siblings=listed || echo siblings=hidden;"
                + " echo uid=$(id -u) home=$HOME; touch here && echo own=writable; sleep 1000";
        AppRef mallory = new AppRef("mal", "probe");
        manager.deploy(deployment(
                mallory,
                spec(
                        "probe",
                        List.of("sh", "-c", probe),
                        "VICTIM",
                        Long.toString(victimPid),
                        "VICTIM_DIR",
                        dir.resolve("apps/vic/web/replicas/web-1").toString(),
                        "STORE",
                        secret.toString()),
                1));

        waitUntil()
                .untilAsserted(() -> assertThat(manager.logs(mallory, 20))
                        .extracting(LogLine::line)
                        .contains(
                                "environ=denied", "signal=denied", "store=denied", "siblings=hidden", "own=writable"));
        String identity = manager.logs(mallory, 20).stream()
                .map(LogLine::line)
                .filter(line -> line.startsWith("uid="))
                .findFirst()
                .orElseThrow();
        assertThat(identity).matches("uid=23000[01] home=/.*/replicas/probe-1");
        long victimApp = ProcessHandle.of(victimPid)
                .orElseThrow()
                .descendants()
                .filter(process -> process.info().command().orElse("").endsWith("sleep"))
                .findFirst()
                .orElseThrow()
                .pid();
        assertThat(Files.getAttribute(Path.of("/proc", Long.toString(victimApp)), "unix:uid"))
                .as("the victim runs as its own tenant's user")
                .isIn(230000, 230001)
                .isNotEqualTo(Integer.parseInt(identity.substring(4, 10)));
        manager.remove(victim, false);
        manager.remove(mallory, false);

        Path closed = Files.createDirectories(dataDir.resolve("closed"));
        Files.setPosixFilePermissions(closed, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Path script = Files.writeString(closed.resolve("app.sh"), "sleep 1000");
        assertThatThrownBy(() -> manager.validate(AppSpec.ofCommand("closed", List.of("sh", script.toString()))))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.field()).contains("command");
                    assertThat(e.getMessage())
                            .contains("'" + script + "' is under ")
                            .contains("sandbox=none");
                });
    }

    @Test
    void stopAndRemoveEndEveryProcessAReplicaStartedHoweverItDetached() {
        LocalClusterManager manager = start(dataDir.resolve("detach"), Map.of("stop-grace", "1s"));
        boolean walled = Confinement.open(config(Map.of()), dataDir.resolve("probe"))
                        .namespaces()
                || Confinement.open(config(Map.of()), dataDir.resolve("probe")).cgroups();
        AppRef stopped = ref("stopped");
        AppRef removed = ref("removed");
        long base = 60_000 + ProcessHandle.current().pid() % 1000 * 10;
        manager.deploy(deployment(stopped, AppSpec.ofCommand("stopped", List.of("sh", "-c", escaping(base))), 1));
        manager.deploy(deployment(removed, AppSpec.ofCommand("removed", List.of("sh", "-c", escaping(base + 5))), 1));
        int escapes = walled ? 5 : 4;
        List<Long> fromStopped = awaitSleeps(base, escapes);
        List<Long> fromRemoved = awaitSleeps(base + 5, escapes);

        manager.scale(stopped, 0);
        manager.remove(removed, false);

        waitUntil().untilAsserted(() -> {
            assertThat(manager.status(stopped).instances()).isEmpty();
            assertThat(fromStopped)
                    .as("stop ended every process of the replica")
                    .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                            .isEmpty());
            assertThat(fromRemoved)
                    .as("remove ended every process of the replica")
                    .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                            .isEmpty());
        });
    }

    /**
     * A replica that leaves processes behind every way a shell can: a new session, a double fork, nohup, and (the
     * last, {@code base + 4}) a new session outside its folder; each sleeps for a number of seconds that names it.
     */
    private static String escaping(long base) {
        return "setsid sleep " + base + " & (sleep " + (base + 1) + " &) ; nohup sleep " + (base + 2)
                + " > /dev/null 2>&1 & (cd / && setsid sleep " + (base + 4) + " &) ; exec sleep " + (base + 3);
    }

    /** The host pids of the sleeps {@link #escaping} started, once all {@code count} run. */
    private List<Long> awaitSleeps(long base, int count) {
        return waitUntil()
                .until(
                        () -> ProcessHandle.allProcesses()
                                .filter(process ->
                                        process.info().command().orElse("").endsWith("sleep"))
                                .filter(process -> process.info()
                                        .arguments()
                                        .filter(arguments -> arguments.length == 1 && arguments[0].matches("\\d+"))
                                        .map(arguments -> Long.parseLong(arguments[0]) - base)
                                        .filter(offset -> offset >= 0 && offset < count)
                                        .isPresent())
                                .map(ProcessHandle::pid)
                                .toList(),
                        pids -> pids.size() == count);
    }

    @Test
    void inItsNamespacesAndControlGroupAReplicaSeesOnlyItselfAndGetsTheLimitsOfItsSpec() throws Exception {
        LocalClusterManager manager = start(dataDir.resolve("walls"), Map.of("max-processes", "64"));
        Confinement walls = Confinement.open(config(Map.of()), dataDir.resolve("probe"));
        assumeTrue(walls.namespaces() && walls.cgroups(), "needs PID namespaces and writable cgroups (root)");
        String probe = "echo processes=$(ls -d /proc/[0-9]* | wc -l); echo pid=$$;"
                + " cat /proc/self/cgroup | tr ':' ' ' | while read n controller group; do"
                + " case $controller in memory) echo memory=$(cat /sys/fs/cgroup/memory$group/memory.limit_in_bytes);;"
                + " cpu) echo cpu=$(cat /sys/fs/cgroup/cpu$group/cpu.cfs_quota_us);;"
                + " pids) echo pids=$(cat /sys/fs/cgroup/pids$group/pids.max);; esac; done; exec sleep 1000";
        AppRef app = ref("walled");
        AppSpec spec = new AppSpec(
                "walled",
                null,
                null,
                null,
                null,
                null,
                List.of("sh", "-c", probe),
                null,
                null,
                null,
                new emp.spi.app.Resources("250m", "64Mi"),
                null,
                null,
                null,
                null,
                null);
        manager.deploy(deployment(app, spec, 1));

        waitUntil()
                .untilAsserted(() -> assertThat(manager.logs(app, 20))
                        .extracting(LogLine::line)
                        .contains("pid=2", "memory=67108864", "cpu=25000", "pids=64"));
        String processes = manager.logs(app, 20).stream()
                .map(LogLine::line)
                .filter(line -> line.startsWith("processes="))
                .findFirst()
                .orElseThrow();
        assertThat(Integer.parseInt(processes.substring("processes=".length())))
                .as("the replica sees its own few processes only")
                .isLessThan(6);
        manager.remove(app, false);
    }

    private static AppSpec spec(String name, List<String> command, String... variables) {
        List<EnvVar> envs = new ArrayList<>();
        for (int i = 0; i < variables.length; i += 2) {
            envs.add(new EnvVar(variables[i], variables[i + 1]));
        }
        return new AppSpec(
                name, null, null, null, envs, null, command, null, null, null, null, null, null, null, null, null);
    }

    @Test
    void aProcessLeftInTheDataFolderWithNoRecordIsKilledAtStartAndOthersAreNot() throws Exception {
        Path dir = dataDir.resolve("orphans");
        // What a replica started just before the server was killed looks like: running in a replica folder, in no
        // state file.
        Path folder = Files.createDirectories(dir.resolve("apps")
                .resolve("ana")
                .resolve("ghost")
                .resolve("replicas")
                .resolve("ghost-1"));
        Process orphan =
                new ProcessBuilder("sleep", "1000").directory(folder.toFile()).start();
        Process outside =
                new ProcessBuilder("sleep", "1000").directory(dataDir.toFile()).start();
        try {
            start(dir, Map.of());

            waitUntil().until(() -> !orphan.isAlive());
            assertThat(outside.isAlive())
                    .as("a process outside the cluster's folder")
                    .isTrue();
        } finally {
            orphan.destroyForcibly();
            outside.destroyForcibly();
        }
    }

    @Test
    void adoptsTheReplicasOfAManagerThatDiedWithoutClosing() {
        Path dir = dataDir.resolve("adopt");
        LocalClusterManager first = start(dir, Map.of());
        AppRef app = ref("kept");
        AppDeployment deployment = deployment(app, runnableSpec(app.name()), 1);
        first.deploy(deployment);
        InstanceStatus before = awaitReady(first, app, 1).instances().get(0);

        first.abandon();
        LocalClusterManager second = start(dir, Map.of());

        InstanceStatus adopted = awaitReady(second, app, 1).instances().get(0);
        assertThat(adopted.id()).isEqualTo(before.id());
        assertThat(adopted.pid()).isEqualTo(before.pid());
        assertThat(second.apps()).containsExactly(app);

        second.deploy(deployment);
        assertThat(second.status(app).instances())
                .extracting(InstanceStatus::pid)
                .containsExactly(before.pid());

        second.scale(app, 2);
        assertThat(awaitReady(second, app, 2).instances())
                .extracting(InstanceStatus::id)
                .containsExactly("kept-1", "kept-2");

        second.close();
        assertThat(ProcessHandle.of(before.pid().getAsLong()).filter(ProcessHandle::isAlive))
                .isEmpty();
    }

    @Test
    void doesNotAdoptAnotherProcessThatHasTheRecordedPid() throws Exception {
        Path dir = dataDir.resolve("impostor");
        AppRef app = ref("impostor");
        long ourPid = ProcessHandle.current().pid();
        new AppStateFile(
                        app,
                        1,
                        "abc",
                        null,
                        true,
                        2,
                        List.of(new AppStateFile.Entry(
                                "impostor-1", 1, ourPid, Instant.parse("2001-01-01T00:00:00Z"), 40000, "abc", 0)))
                .write(dir.resolve("apps/tck/impostor/state.properties"));

        LocalClusterManager local = start(dir, Map.of());

        AppStatus status = local.status(app);
        assertThat(status.deployed()).isTrue();
        assertThat(status.desired()).isEqualTo(1);
        assertThat(status.instances()).isEmpty();
        local.close();
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void changedSpecThatNeverBecomesReadyLeavesTheOldReplicaServing() {
        AppRef app = ref("steady");
        AppDeployment good = deployment(app, runnableSpec(app.name()), 1);
        manager().deploy(good);
        String old = awaitReady(app, 1).instances().get(0).id();

        manager().deploy(deployment(app, crashingSpec(app.name()), 1));

        waitUntil()
                .untilAsserted(() ->
                        assertThat(eventsOf(app, ClusterEvent.Type.CRASHED)).isNotEmpty());
        assertThat(manager().status(app).instances())
                .filteredOn(instance -> instance.id().equals(old))
                .singleElement()
                .satisfies(instance -> assertThat(instance.state()).isEqualTo(InstanceState.READY));

        manager().deploy(good);
        awaitStatus(
                app,
                status -> assertThat(status.instances())
                        .extracting(InstanceStatus::id)
                        .containsExactly(old));
    }

    @Test
    void validateSaysWhatTheLocalClusterCannotRun() {
        AppSpec dockerOnly = new AppSpec(
                "songs",
                "emp/songs:1",
                null,
                8000,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);

        assertThatThrownBy(() -> manager().validate(dockerOnly)).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.UNSUPPORTED);
            assertThat(e.field()).contains("command");
            assertThat(e.getMessage())
                    .isEqualTo("app 'songs' has no 'command'; the local cluster runs commands, not docker images"
                            + " - add \"command\": [\"java\", \"-jar\", \"app.jar\"]");
        });
        assertThatThrownBy(() -> manager().validate(AppSpec.ofCommand("lost", List.of("no-such-program-emp", "x"))))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.field()).contains("command");
                    assertThat(e.getMessage()).contains("'lost'", "'no-such-program-emp'", "PATH");
                });
        assertThatThrownBy(() -> manager().deploy(deployment(ref("songs"), dockerOnly, 1)))
                .isInstanceOf(PlatformException.class);
        assertThat(manager().apps()).isEmpty();
    }

    @Test
    void removingWithoutDataDeletesTheAppsFolderAndKeepingDataKeepsIt() {
        AppRef tidy = ref("tidy");
        AppRef hoard = ref("hoard");
        manager().deploy(deployment(tidy, runnableSpec(tidy.name()), 1));
        manager().deploy(deployment(hoard, runnableSpec(hoard.name()), 1));
        awaitReady(tidy, 1);
        awaitReady(hoard, 1);
        Path tidyDir = dataDir.resolve("apps/tck/tidy");
        Path hoardLog = dataDir.resolve("apps/tck/hoard/logs/hoard-1.log");
        assertThat(tidyDir.resolve("logs/tidy-1.log")).exists();

        manager().remove(tidy, false);
        manager().remove(hoard, true);

        waitUntil()
                .untilAsserted(() -> assertThat(events())
                        .filteredOn(event -> event.type() == ClusterEvent.Type.STOPPED)
                        .extracting(ClusterEvent::instance)
                        .contains("tidy-1", "hoard-1"));
        waitUntil().untilAsserted(() -> assertThat(tidyDir).doesNotExist());
        assertThat(hoardLog).exists();
    }

    @Test
    void scaledAwayReplicaOfAStatelessAppLeavesNothingBehind() {
        AppRef app = ref("shrink");
        manager().deploy(deployment(app, runnableSpec(app.name()), 2));
        awaitReady(app, 2);
        Path appDir = dataDir.resolve("apps/tck/shrink");
        assertThat(appDir.resolve("replicas/shrink-2")).isDirectory();

        manager().scale(app, 1);

        waitUntil().untilAsserted(() -> {
            assertThat(appDir.resolve("replicas/shrink-2")).doesNotExist();
            assertThat(appDir.resolve("logs/shrink-2.log")).doesNotExist();
        });
        assertThat(appDir.resolve("replicas/shrink-1")).isDirectory();
        assertThat(appDir.resolve("logs/shrink-1.log")).exists();
    }

    @Test
    void closeStopsEveryReplica() {
        LocalClusterManager local = start(dataDir.resolve("close"), Map.of());
        AppRef app = ref("brief");
        local.deploy(deployment(app, runnableSpec(app.name()), 2));
        List<Long> pids = awaitReady(local, app, 2).instances().stream()
                .map(instance -> instance.pid().getAsLong())
                .toList();

        local.close();

        assertThat(pids)
                .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                        .isEmpty());
        assertThat(local.check().healthy()).isFalse();
    }

    private LocalClusterManager start(Path dir, Map<String, String> overrides) {
        LocalClusterManager manager = new LocalClusterManager(config(overrides), dir, Clock.systemUTC(), spans -> {});
        others.add(manager);
        manager.start();
        return manager;
    }

    private AppStatus awaitReady(ClusterManager manager, AppRef app, int count) {
        List<AppStatus> last = new ArrayList<>(1);
        waitUntil().untilAsserted(() -> {
            AppStatus status = manager.status(app);
            assertThat(status.instances()).hasSize(count);
            assertThat(status.instances()).extracting(InstanceStatus::state).containsOnly(InstanceState.READY);
            last.clear();
            last.add(status);
        });
        return last.get(0);
    }

    private static LocalClusterConfig config(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(Map.of(
                "gateway-port", "0",
                "stop-grace", "5s",
                "restart-backoff-initial", "100ms",
                "restart-backoff-max", "1s",
                "health-interval", "50ms",
                // The hello jar is in the Maven repository, often under a home folder closed to other users.
                "sandbox", "none"));
        values.putAll(overrides);
        return LocalClusterConfig.from(new PluginConfig(LocalClusterConfig.SECTION, values));
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }
}
