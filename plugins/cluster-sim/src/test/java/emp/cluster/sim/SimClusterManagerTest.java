package emp.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.app.EnvVar;
import emp.spi.app.Resources;
import emp.spi.app.Rollout;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.spi.cluster.LogLine;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the simulated cluster does beyond the kit: its names, logs, stops, rollouts, errors and life. */
class SimClusterManagerTest {
    private static final AppRef WEB = new AppRef("alice", "web");

    private final List<ClusterEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> listenerThreads = new CopyOnWriteArrayList<>();
    private SimClusterManager manager;

    @AfterEach
    void close() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void appsAndReplicasAreNamedInADomainThatNeverResolves() {
        start(Map.of());
        assertThat(manager.endpoint(WEB)).isEmpty();

        manager.deploy(deployment(SimTestCluster.app("web"), 2));
        AppStatus status = awaitStatus(s -> assertThat(s.ready()).isEqualTo(2));

        assertThat(manager.endpoint(WEB)).contains(URI.create("http://sim.invalid/alice/web"));
        assertThat(manager.internalEndpoint(WEB)).isEqualTo(manager.endpoint(WEB));
        assertThat(manager.entryPoint()).isEmpty();
        assertThat(manager.load(WEB)).isEmpty();
        assertThat(status.instances())
                .extracting(InstanceStatus::endpoint)
                .containsExactlyInAnyOrder(
                        URI.create("http://node-1.sim.invalid/alice/web/web-1"),
                        URI.create("http://node-2.sim.invalid/alice/web/web-2"));
        assertThat(status.instances()).allSatisfy(instance -> {
            assertThat(instance.pid()).isEmpty();
            assertThat(instance.message()).isNull();
        });
    }

    @Test
    void logsDescribeEachReplicaInTwoLines() {
        start(Map.of());
        manager.deploy(deployment(SimTestCluster.app("web"), 2));
        awaitStatus(s -> assertThat(s.ready()).isEqualTo(2));

        List<LogLine> lines = manager.logs(WEB, 10);

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0))
                .isEqualTo(new LogLine(
                        "web-1", "simulated replica web-1 placed on node-1, taking 0.1" + " cpus and 128 MiB"));
        assertThat(lines.get(1).line()).startsWith("READY since ");
        assertThat(manager.logs(WEB, 1)).extracting(LogLine::instance).containsExactly("web-1", "web-2");
        assertThat(manager.logs(WEB, 0)).isEmpty();
        assertThatThrownBy(() -> manager.logs(new AppRef("alice", "nope"), 5))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND);
                    assertThat(e.getMessage()).contains("'alice/nope'");
                });
        assertThatThrownBy(() -> manager.logs(WEB, -1))
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID));
    }

    @Test
    void aStoppedReplicaShowsAsStoppingAndHoldsItsRoomForTheStopLatency() {
        start(Map.of("nodes", "1", "node-cpus", "1", "stop-latency", "400ms"));
        AppSpec half = SimTestCluster.withResources(SimTestCluster.app("web"), new Resources("500m", null));
        manager.deploy(deployment(half, 2));
        awaitStatus(s -> assertThat(s.ready()).isEqualTo(2));

        manager.scale(WEB, 1);
        manager.scale(WEB, 2);

        AppStatus status = manager.status(WEB);
        assertThat(status.instances()).extracting(InstanceStatus::id).containsExactly("web-1", "web-2", "web-3");
        assertThat(status.instances().get(1).state()).isEqualTo(InstanceState.STOPPING);
        assertThat(status.instances().get(1).message()).isEqualTo("stopping on node-1");
        assertThat(status.instances().get(2).message())
                .as("no room until web-2 is gone")
                .startsWith("pending: ");
        AppStatus later = awaitStatus(s -> assertThat(s.ready()).isEqualTo(2));
        assertThat(later.instances()).extracting(InstanceStatus::id).containsExactly("web-1", "web-3");
        assertThat(events)
                .filteredOn(event -> event.type() == ClusterEvent.Type.STOPPED)
                .extracting(ClusterEvent::instance, ClusterEvent::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("web-2", "replica web-2 stopped"));
    }

    @Test
    void aRolloutWithoutSurgeReplacesOneReplicaAtATime() {
        start(Map.of());
        AppSpec spec = SimTestCluster.app("web").withRollout(new Rollout("0", "1"));
        manager.deploy(deployment(spec, 3));
        Set<String> before = ids(awaitStatus(s -> assertThat(s.ready()).isEqualTo(3)));

        manager.deploy(deployment(spec.withEnvs(List.of(new EnvVar("REVISION", "2"))), 3));

        List<String> breaches = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(5))
                .untilAsserted(() -> {
                    AppStatus status = manager.status(WEB);
                    long alive = status.instances().stream()
                            .filter(instance -> instance.state() != InstanceState.STOPPING)
                            .count();
                    if (alive > 3 || status.ready() < 2) {
                        breaches.add(alive + " alive, " + status.ready() + " ready: " + status.instances());
                    }
                    assertThat(ids(status)).hasSize(3).doesNotContainAnyElementsOf(before);
                    assertThat(status.ready()).isEqualTo(3);
                });
        assertThat(breaches).as("moments past max_surge 0 or max_unavailable 1").isEmpty();
    }

    @Test
    void scalingToZeroKeepsTheAppAndRemovalNeverReusesAnId() {
        start(Map.of("stop-latency", "0s"));
        manager.deploy(deployment(SimTestCluster.app("web"), 1));
        awaitStatus(s -> assertThat(s.ready()).isEqualTo(1));

        manager.scale(WEB, 0);
        assertThat(manager.status(WEB).instances()).isEmpty();
        assertThat(manager.status(WEB).deployed()).isTrue();
        manager.remove(WEB, true);
        manager.deploy(deployment(SimTestCluster.app("web"), 1));

        assertThat(ids(manager.status(WEB))).containsExactly("web-2");
    }

    @Test
    void listenersAreCalledOnTheSimulationsThread() {
        start(Map.of());
        manager.deploy(deployment(SimTestCluster.app("web"), 2));
        awaitStatus(s -> assertThat(s.ready()).isEqualTo(2));

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(events)
                        .filteredOn(event -> event.type() == ClusterEvent.Type.READY)
                        .extracting(ClusterEvent::message)
                        .allMatch(message ->
                                message.matches("replica web-\\d is ready on node-\\d \\(started in \\d+ms\\)"))
                        .hasSize(2));
        assertThat(listenerThreads).containsOnly("cluster-sim");
    }

    @Test
    void refusesWhatItCannotReadOrNeverPlace() {
        start(Map.of());
        AppSpec lots = SimTestCluster.withResources(SimTestCluster.app("web"), new Resources("lots", null));
        AppSpec chance = SimTestCluster.app("web").withEnvs(List.of(new EnvVar(SimSpec.CRASH_VARIABLE, "often")));
        AppSpec huge = SimTestCluster.withResources(SimTestCluster.app("web"), new Resources(null, "9000Mi"));

        assertRefused(lots, ErrorCategory.INVALID, "resources.cpu", "'lots'");
        assertRefused(chance, ErrorCategory.INVALID, "envs", "SIM_CRASH_PROBABILITY to 'often'");
        assertRefused(huge, ErrorCategory.UNSUPPORTED, "resources.memory", "8192 MiB, 'cluster.sim.node-memory-mib'");
        assertThatThrownBy(() -> manager.deploy(deployment(huge, 1))).isInstanceOf(PlatformException.class);
        assertThat(manager.apps()).isEmpty();
        // Nothing runs, so what would run is no concern: an image, neither image nor command, kept data.
        manager.validate(new AppSpec(
                "img",
                "emp/songs:1",
                false,
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
                null));
        manager.validate(new AppSpec(
                "bare", null, null, null, null, null, null, null, null, null, null, null, null, null, null, null));
    }

    @Test
    void scalingAnUnknownAppOrBelowZeroIsRefused() {
        start(Map.of());

        assertThatThrownBy(() -> manager.scale(WEB, 2)).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND);
            assertThat(e.getMessage()).contains("'alice/web'");
        });
        assertThatThrownBy(() -> manager.scale(WEB, -1))
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INVALID));
        manager.remove(WEB, false);
    }

    @Test
    void aClosedManagerSaysSoAndCannotStartAgain() {
        start(Map.of());
        manager.deploy(deployment(SimTestCluster.app("web"), 1));
        assertThat(manager.check().detail())
                .contains("8 nodes of 4 cpus and 8192 MiB")
                .contains("1 app(s)");

        manager.close();

        assertThat(manager.check().healthy()).isFalse();
        assertThat(manager.check().detail()).contains("closed");
        assertThat(manager.status(WEB).deployed()).isFalse();
        assertThatThrownBy(() -> manager.deploy(deployment(SimTestCluster.app("web"), 1)))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("closed");
                });
        assertThatThrownBy(manager::start)
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.INTERNAL));
    }

    private void assertRefused(AppSpec spec, ErrorCategory category, String field, String words) {
        assertThatThrownBy(() -> manager.validate(spec)).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(category);
            assertThat(e.field()).contains(field);
            assertThat(e.getMessage()).contains("'web'").contains(words);
        });
    }

    private void start(Map<String, String> config) {
        manager = SimTestCluster.manager(config);
        manager.watch(event -> {
            events.add(event);
            listenerThreads.add(Thread.currentThread().getName());
        });
        manager.start();
    }

    private AppStatus awaitStatus(Consumer<AppStatus> assertion) {
        AppStatus[] last = new AppStatus[1];
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            AppStatus status = manager.status(WEB);
            assertion.accept(status);
            last[0] = status;
        });
        return last[0];
    }

    private static AppDeployment deployment(AppSpec spec, int replicas) {
        return new AppDeployment(WEB, spec, replicas, Map.of("EMP_SERVICE_NAME", WEB.toString()));
    }

    private static Set<String> ids(AppStatus status) {
        return status.instances().stream().map(InstanceStatus::id).collect(Collectors.toSet());
    }
}
