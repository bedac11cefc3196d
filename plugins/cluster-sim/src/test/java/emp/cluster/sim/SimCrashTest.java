package emp.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Replicas crash as they start as often as the seeded draws say, and are restarted with a doubling back-off. */
class SimCrashTest {
    private static final int APPS = 50;
    private static final int REPLICAS = 10;

    @Test
    void replicasCrashWithTheConfiguredProbabilityAndAreRestartedUntilReady() {
        Run run = run("42");

        // 500 first starts with a chance of 0.3: 150 crashes expected, with a standard deviation of 10.
        assertThat(run.crashesPerReplica()).hasSizeBetween(110, 190);
        assertThat(run.events())
                .filteredOn(event -> event.type() == ClusterEvent.Type.CRASHED)
                .allSatisfy(event -> assertThat(event.message())
                        .startsWith("replica " + event.instance() + " crashed as it started on node-")
                        .contains("with a chance of 0.3")
                        .contains("; restarting in "));
        assertThat(run.restartsPerReplica())
                .as("each crash is followed by a restart of the same replica")
                .isEqualTo(run.crashesPerReplica());
        assertThat(run.restartsInStatus())
                .as("the restarts each replica's status counts")
                .isEqualTo(run.crashesPerReplica());
    }

    @Test
    void theSameSeedCrashesTheSameReplicasTheSameNumberOfTimes() {
        Run first = run("42");
        Run again = run("42");
        Run other = run("43");

        assertThat(again.crashesPerReplica()).isEqualTo(first.crashesPerReplica());
        assertThat(other.crashesPerReplica()).isNotEqualTo(first.crashesPerReplica());
    }

    @Test
    void theBackOffDoublesWithEachCrashInARowUpToItsLimit() {
        SimClusterManager manager = SimTestCluster.manager(Map.of(
                "restart-backoff-initial",
                "20ms",
                "restart-backoff-max",
                "80ms",
                "start-latency",
                "5ms",
                "start-jitter",
                "0ms"));
        List<ClusterEvent> events = new CopyOnWriteArrayList<>();
        manager.watch(events::add);
        manager.start();
        try {
            AppRef app = new AppRef("alice", "down");
            manager.deploy(new AppDeployment(app, SimTestCluster.crashing("down"), 1, Map.of()));

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> events.stream()
                                    .filter(event -> event.type() == ClusterEvent.Type.CRASHED)
                                    .count()
                            >= 5);
            assertThat(events)
                    .filteredOn(event -> event.type() == ClusterEvent.Type.CRASHED)
                    .extracting(event -> event.message().replaceAll(".*; restarting in ", ""))
                    .startsWith("20ms", "40ms", "80ms", "80ms", "80ms");
            assertThat(events)
                    .filteredOn(event -> event.type() == ClusterEvent.Type.RESTARTED)
                    .extracting(ClusterEvent::message)
                    .startsWith("replica down-1 restarted on node-1 (restart 1)");
            AppStatus status = manager.status(app);
            assertThat(status.ready()).isZero();
            assertThat(status.instances()).singleElement().satisfies(instance -> {
                assertThat(instance.id()).isEqualTo("down-1");
                assertThat(instance.state()).isIn(InstanceState.STARTING, InstanceState.CRASHED);
                assertThat(instance.restarts()).isGreaterThanOrEqualTo(4);
            });
        } finally {
            manager.close();
        }
    }

    /** Deploys 50 apps of 10 replicas with a chance of 0.3 of crashing at each start, and waits until all are ready. */
    private static Run run(String seed) {
        SimClusterManager manager = SimTestCluster.manager(Map.of(
                "nodes", "100",
                "crash-probability", "0.3",
                "seed", seed,
                "start-latency", "5ms",
                "start-jitter", "5ms",
                "restart-backoff-initial", "10ms",
                "restart-backoff-max", "80ms"));
        List<ClusterEvent> events = new CopyOnWriteArrayList<>();
        manager.watch(events::add);
        manager.start();
        try {
            List<AppRef> apps = new java.util.ArrayList<>();
            for (int i = 1; i <= APPS; i++) {
                AppRef app = new AppRef("alice", "app-" + i);
                apps.add(app);
                manager.deploy(new AppDeployment(app, SimTestCluster.app(app.name()), REPLICAS, Map.of()));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> events.stream()
                                    .filter(event -> event.type() == ClusterEvent.Type.READY)
                                    .count()
                            == APPS * REPLICAS);
            Map<String, Integer> restarts = new TreeMap<>();
            for (AppRef app : apps) {
                AppStatus status = manager.status(app);
                assertThat(status.ready()).isEqualTo(REPLICAS);
                for (InstanceStatus instance : status.instances()) {
                    if (instance.restarts() > 0) {
                        restarts.put(app.name() + "/" + instance.id(), instance.restarts());
                    }
                }
            }
            return new Run(List.copyOf(events), restarts);
        } finally {
            manager.close();
        }
    }

    private record Run(List<ClusterEvent> events, Map<String, Integer> restartsInStatus) {
        Map<String, Integer> crashesPerReplica() {
            return count(ClusterEvent.Type.CRASHED);
        }

        Map<String, Integer> restartsPerReplica() {
            return count(ClusterEvent.Type.RESTARTED);
        }

        private Map<String, Integer> count(ClusterEvent.Type type) {
            return events.stream()
                    .filter(event -> event.type() == type)
                    .collect(Collectors.toMap(
                            event -> event.app().name() + "/" + event.instance(),
                            event -> 1,
                            Integer::sum,
                            TreeMap::new));
        }
    }
}
