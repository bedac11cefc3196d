package emp.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.app.Resources;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Replicas go where their resources fit, and one that fits nowhere waits, saying why. */
class SimPlacementTest {
    private SimClusterManager manager;

    @AfterEach
    void close() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void anAppTooBigForTheRoomLeftStaysPendingSayingWhatItNeedsUntilRoomIsFreed() {
        start(Map.of("nodes", "2", "node-cpus", "4", "node-memory-mib", "4096"));
        AppRef big = new AppRef("alice", "big");
        manager.deploy(deployment(big, sized("big", "3", null), 2));
        AppStatus bigStatus =
                awaitStatus(big, status -> assertThat(status.ready()).isEqualTo(2));
        assertThat(bigStatus.instances())
                .extracting(instance -> instance.endpoint().getHost())
                .as("one replica per node")
                .containsExactlyInAnyOrder("node-1.sim.invalid", "node-2.sim.invalid");

        AppRef more = new AppRef("alice", "more");
        manager.deploy(deployment(more, sized("more", "2", "256Mi"), 1));

        String why = "no simulated node has room for a replica of 'alice/more': it needs 2 cpus and 256 MiB; the"
                + " node with the most free room, node-1, has 1 cpus and 3968 MiB free";
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            AppStatus status = manager.status(more);
            assertThat(status.deployed()).isTrue();
            assertThat(status.desired()).isEqualTo(1);
            assertThat(status.message()).as("the app's message").contains(why);
            assertThat(status.instances()).singleElement().satisfies(instance -> {
                assertThat(instance.state()).isEqualTo(InstanceState.STARTING);
                assertThat(instance.endpoint()).as("not placed, so nowhere").isNull();
                assertThat(instance.message()).startsWith("pending: ").contains(why);
            });
        });
        assertThat(manager.check().detail()).contains("1 pending");

        manager.scale(big, 1);

        AppStatus placed =
                awaitStatus(more, status -> assertThat(status.ready()).isEqualTo(1));
        assertThat(placed.message()).isNull();
        String remaining = manager.status(big).instances().get(0).endpoint().getHost();
        assertThat(placed.instances().get(0).endpoint().getHost())
                .as("on the node the stopped replica freed")
                .isNotEqualTo(remaining);
        assertThat(manager.check().detail()).contains("0 pending");
    }

    @Test
    void replicasSpreadOverTheNodesAndFillThemByTheirResources() {
        start(Map.of("nodes", "4", "node-cpus", "2", "node-memory-mib", "1024"));
        AppRef web = new AppRef("alice", "web");

        // 8 replicas of 1 cpu and 512 MiB fill 4 nodes of 2 cpus and 1 GiB exactly; a 9th has no room.
        manager.deploy(deployment(web, sized("web", "1", "512Mi"), 9));

        AppStatus status = awaitStatus(web, s -> assertThat(s.ready()).isEqualTo(8));
        assertThat(status.instances())
                .filteredOn(instance -> instance.state() == InstanceState.READY)
                .extracting(instance -> instance.endpoint().getHost())
                .containsExactlyInAnyOrder(
                        "node-1.sim.invalid",
                        "node-1.sim.invalid",
                        "node-2.sim.invalid",
                        "node-2.sim.invalid",
                        "node-3.sim.invalid",
                        "node-3.sim.invalid",
                        "node-4.sim.invalid",
                        "node-4.sim.invalid");
        assertThat(status.instances())
                .filteredOn(instance -> instance.endpoint() == null)
                .singleElement()
                .extracting(InstanceStatus::message)
                .asString()
                .contains("it needs 1 cpus and 512 MiB")
                .contains("has 0 cpus and 0 MiB free");
    }

    @Test
    void aSpecWithoutResourcesTakesTheDefaultsOfTheMesosCluster() {
        // 0.1 cpus and 128 MiB each: a node of 1 cpu and 256 MiB takes two.
        start(Map.of("nodes", "1", "node-cpus", "1", "node-memory-mib", "256"));
        AppRef web = new AppRef("alice", "web");

        manager.deploy(deployment(web, SimTestCluster.app("web"), 3));

        awaitStatus(web, status -> {
            assertThat(status.ready()).isEqualTo(2);
            assertThat(status.message())
                    .contains("it needs 0.1 cpus and 128 MiB")
                    .contains("0.8 cpus and 0 MiB");
        });
    }

    private void start(Map<String, String> config) {
        manager = SimTestCluster.manager(config);
        manager.start();
    }

    private AppStatus awaitStatus(AppRef app, Consumer<AppStatus> assertion) {
        AppStatus[] last = new AppStatus[1];
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            AppStatus status = manager.status(app);
            assertion.accept(status);
            last[0] = status;
        });
        return last[0];
    }

    private static AppSpec sized(String name, String cpu, String memory) {
        return SimTestCluster.withResources(SimTestCluster.app(name), new Resources(cpu, memory));
    }

    private static AppDeployment deployment(AppRef app, AppSpec spec, int replicas) {
        return new AppDeployment(app, spec, replicas, Map.of("EMP_SERVICE_NAME", app.toString()), false);
    }
}
