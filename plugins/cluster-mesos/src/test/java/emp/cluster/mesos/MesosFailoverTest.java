package emp.cluster.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.PluginState;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.testsupport.mesos.StandInMaster;
import emp.testsupport.mesos.TaskView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that restarts, or hands the lead to another, while tasks run: the next manager fails over to the same
 * framework (its id from the shared state), adopts every running task, launches no duplicate, and replaces a task that
 * ended meanwhile. The state is the one a store would hold, shared by the managers as by servers.
 */
class MesosFailoverTest {
    private static final AppRef WEB = new AppRef("alice", "web");
    /** Long enough that the master keeps the tasks while no manager is subscribed. */
    private static final Map<String, String> KEEP_TASKS = Map.of("failover-timeout", "5m");

    @TempDir
    Path dir;

    private StandInMaster master;
    private final PluginState state = PluginState.inMemory();
    private final List<MesosClusterManager> managers = new ArrayList<>();

    @BeforeEach
    void startMaster() {
        master = MesosTestCluster.master(dir);
    }

    @AfterEach
    void stop() {
        managers.forEach(MesosClusterManager::close);
        master.close();
    }

    @Test
    void aRestartedServerAdoptsTheRunningTasks() {
        MesosClusterManager first = manager();
        AppDeployment deployment = deployment(2);
        first.deploy(deployment);
        Set<String> running = ids(awaitReady(first, 2));
        String frameworkId = master.frameworkId().orElseThrow();
        first.close();

        MesosClusterManager second = manager();
        assertThat(second.apps()).as("known from the state before any deploy").contains(WEB);
        second.deploy(deployment);

        assertThat(ids(awaitReady(second, 2))).isEqualTo(running);
        assertThat(master.frameworkId()).contains(frameworkId);
        assertThat(liveTasks()).as("no task launched twice").isEqualTo(running);
        assertThat(launches()).isEqualTo(2);
    }

    @Test
    void aTaskThatEndedMeanwhileIsReplaced() {
        MesosClusterManager first = manager();
        AppDeployment deployment = deployment(2);
        first.deploy(deployment);
        List<String> running = new ArrayList<>(ids(awaitReady(first, 2)));
        first.close();
        master.failTask(running.get(0), "killed while no EMP server was subscribed");

        MesosClusterManager second = manager();
        second.deploy(deployment);

        Set<String> after = ids(awaitReady(second, 2));
        assertThat(after).contains(running.get(1)).doesNotContain(running.get(0));
        assertThat(liveTasks()).isEqualTo(after);
        assertThat(launches()).isEqualTo(3);
    }

    @Test
    void onlyTheLeaderHoldsTheSubscriptionAndTheNextOneAdopts() {
        MesosClusterManager leader = manager();
        MesosClusterManager follower = manager();
        leader.leading(true);
        follower.leading(false);
        AppDeployment deployment = deployment(1);
        leader.deploy(deployment);
        Set<String> running = ids(awaitReady(leader, 1));
        assertThat(follower.status(WEB).deployed())
                .as("a follower knows nothing of its own")
                .isFalse();
        int subscriptions = master.subscriptions();

        leader.leading(false);
        follower.leading(true);
        follower.deploy(deployment);

        assertThat(ids(awaitReady(follower, 1))).isEqualTo(running);
        assertThat(master.subscriptions()).isEqualTo(subscriptions + 1);
        assertThat(liveTasks()).isEqualTo(running);
        assertThat(leader.status(WEB).deployed()).isFalse();
    }

    private MesosClusterManager manager() {
        MesosClusterManager manager = MesosTestCluster.manager(master, state, KEEP_TASKS);
        managers.add(manager);
        manager.start();
        return manager;
    }

    private static AppDeployment deployment(int replicas) {
        return new AppDeployment(WEB, MesosTestCluster.hello("web"), replicas, Map.of("EMP_SERVICE_NAME", "alice/web"));
    }

    private static AppStatus awaitReady(MesosClusterManager manager, int count) {
        AppStatus[] last = new AppStatus[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    AppStatus status = manager.status(WEB);
                    assertThat(status.instances()).hasSize(count);
                    assertThat(status.instances())
                            .extracting(InstanceStatus::state)
                            .containsOnly(InstanceState.READY);
                    last[0] = status;
                });
        return last[0];
    }

    private Set<String> liveTasks() {
        return master.tasks().stream()
                .filter(task -> !MesosTask.TERMINAL.contains(task.state()))
                .map(TaskView::taskId)
                .collect(Collectors.toSet());
    }

    private long launches() {
        return master.calls().stream()
                .filter(call -> call.getType() == Call.Type.ACCEPT)
                .flatMap(call -> call.getAccept().getOperationsList().stream())
                .mapToLong(operation -> operation.getLaunch().getTaskInfosCount())
                .sum();
    }

    private static Set<String> ids(AppStatus status) {
        return status.instances().stream().map(InstanceStatus::id).collect(Collectors.toSet());
    }
}
