package emp.cluster.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginState;
import emp.spi.app.AppSpec;
import emp.spi.app.Resources;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.spi.cluster.LogLine;
import emp.testsupport.mesos.RecordedFrame;
import emp.testsupport.mesos.StandInMaster;
import emp.testsupport.mesos.TaskView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Mesos cluster does when things go wrong, each fault caused on the stand-in master: an agent lost, the
 * subscription dropped, a status update delivered twice, the master out of reach, no offer big enough, an image no
 * agent can run. And what end users and {@code emp logs} see of the tasks.
 */
class MesosClusterFaultsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private StandInMaster master;
    private MesosClusterManager manager;
    private final List<ClusterEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        master = MesosTestCluster.master(dir);
        manager = MesosTestCluster.manager(master, PluginState.inMemory(), Map.of());
        manager.watch(events::add);
        manager.start();
    }

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.close();
        }
        if (master != null) {
            master.close();
        }
    }

    @Test
    void endUsersReachTheTasksThroughTheGateway() throws Exception {
        AppRef app = new AppRef("alice", "web");
        manager.deploy(deployment(app, MesosTestCluster.hello("web"), 2));
        Set<String> ids = ids(awaitReady(app, 2));

        URI endpoint = manager.endpoint(app).orElseThrow();
        assertThat(endpoint).isEqualTo(URI.create(manager.entryPoint().orElseThrow() + "/alice/web/"));
        Set<String> answered = new java.util.HashSet<>();
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(endpoint.resolve("songs/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"path\":\"/songs/" + i + "\"");
            answered.add(response.body().replaceAll(".*\"instance\":\"([^\"]*)\".*\\s*", "$1"));
        }
        assertThat(answered).as("both tasks serve").isEqualTo(ids);
        assertThat(master.tasks())
                .filteredOn(task -> task.state() == TaskState.TASK_RUNNING)
                .extracting(TaskView::agentId)
                .as("replicas are spread over the agents")
                .containsExactlyInAnyOrder("agent-1", "agent-2");
    }

    @Test
    void theTasksOwnOutputIsReadFromTheirSandboxes() {
        AppRef app = new AppRef("alice", "logs");
        manager.deploy(deployment(app, MesosTestCluster.hello("logs"), 1));
        String id = ids(awaitReady(app, 1)).iterator().next();

        waitUntil()
                .untilAsserted(() -> assertThat(manager.logs(app, 20))
                        .extracting(LogLine::instance, LogLine::line)
                        .anySatisfy(line -> {
                            assertThat(line.toList().get(0)).isEqualTo(id);
                            assertThat((String) line.toList().get(1)).contains("hello: app 'alice/logs'");
                        }));
    }

    @Test
    void aLostAgentsTasksAreReplacedOnTheOther() {
        AppRef app = new AppRef("alice", "spread");
        manager.deploy(deployment(app, MesosTestCluster.hello("spread"), 2));
        awaitReady(app, 2);
        String lostTask = onAgent("agent-1").iterator().next();

        master.loseAgent("agent-1");

        AppStatus after = awaitStatus(app, status -> {
            assertThat(status.instances())
                    .filteredOn(i -> i.state() == InstanceState.READY)
                    .hasSize(2);
            assertThat(ids(status)).doesNotContain(lostTask);
        });
        assertThat(onAgent("agent-2")).containsAll(readyIds(after));
        assertThat(eventsOf(app, ClusterEvent.Type.CRASHED))
                .anySatisfy(
                        event -> assertThat(event.message()).contains(lostTask).contains("TASK_LOST"));
    }

    @Test
    void aDroppedSubscriptionIsResumedAndReconciled() {
        AppRef app = new AppRef("alice", "resume");
        manager.deploy(deployment(app, MesosTestCluster.hello("resume"), 1));
        Set<String> before = ids(awaitReady(app, 1));
        int subscriptions = master.subscriptions();

        master.dropSubscription();

        waitUntil().untilAsserted(() -> assertThat(master.subscriptions()).isGreaterThan(subscriptions));
        waitUntil().untilAsserted(() -> assertThat(callsOf(Call.Type.RECONCILE)).hasSizeGreaterThanOrEqualTo(2));
        assertThat(ids(awaitReady(app, 1))).isEqualTo(before);
        assertThat(master.frameworkId()).isPresent();
        assertThat(callsOf(Call.Type.SUBSCRIBE))
                .allSatisfy(call -> assertThat(
                                call.getSubscribe().getFrameworkInfo().getFailoverTimeout())
                        .isPositive())
                .last()
                .satisfies(call -> assertThat(call.getFrameworkId().getValue())
                        .isEqualTo(master.frameworkId().orElseThrow()));
    }

    @Test
    void anOfferRescindedWhileDecidingIsNoCrash() {
        AppRef app = new AppRef("alice", "rescinded");
        master.rescindBeforeNextAccept();

        manager.deploy(deployment(app, MesosTestCluster.hello("rescinded"), 1));

        awaitReady(app, 1);
        List<Event> events =
                master.frames().stream().map(MesosClusterFaultsTest::decode).toList();
        assertThat(events).anySatisfy(event -> assertThat(event.getType()).isEqualTo(Event.Type.RESCIND));
        assertThat(events)
                .as("the first launch was lost for its offer")
                .anySatisfy(event -> assertThat(event.getUpdate().getStatus().getReason())
                        .isEqualTo(TaskStatus.Reason.REASON_INVALID_OFFERS));
        assertThat(callsOf(Call.Type.ACCEPT)).as("and launched again at once").hasSizeGreaterThanOrEqualTo(2);
        assertThat(eventsOf(app, ClusterEvent.Type.CRASHED))
                .as("no fault of the app")
                .isEmpty();
    }

    @Test
    void aRedeliveredStatusUpdateChangesNothing() {
        AppRef app = new AppRef("alice", "twice");
        manager.deploy(deployment(app, MesosTestCluster.hello("twice"), 1));
        String id = ids(awaitReady(app, 1)).iterator().next();
        int acks = callsOf(Call.Type.ACKNOWLEDGE).size();
        int ready = eventsOf(app, ClusterEvent.Type.READY).size();

        master.redeliver(id);

        waitUntil()
                .untilAsserted(() -> assertThat(callsOf(Call.Type.ACKNOWLEDGE)).hasSizeGreaterThan(acks));
        assertThat(ids(awaitReady(app, 1))).containsExactly(id);
        assertThat(eventsOf(app, ClusterEvent.Type.READY)).hasSize(ready);
        assertThat(master.tasks()).filteredOn(task -> !terminal(task)).hasSize(1);
    }

    @Test
    void anUnreachableMasterRefusesChangesWhileTheAppsKeepServing() throws Exception {
        AppRef app = new AppRef("alice", "steady");
        manager.deploy(deployment(app, MesosTestCluster.hello("steady"), 1));
        Set<String> before = ids(awaitReady(app, 1));
        URI endpoint = manager.endpoint(app).orElseThrow();

        master.pause();

        waitUntil()
                .untilAsserted(() -> assertThatThrownBy(manager::requireAvailable)
                        .isInstanceOfSatisfying(PlatformException.class, e -> {
                            assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
                            assertThat(e.getMessage())
                                    .contains("cluster.mesos.master")
                                    .contains(master.uri().toString());
                        }));
        assertThat(manager.check().healthy()).isFalse();
        assertThat(manager.check().detail()).contains("cluster.mesos.master");
        assertThat(manager.status(app).message()).contains("cannot be reached");
        HttpResponse<String> response =
                HTTP.send(HttpRequest.newBuilder(endpoint).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("the task still serves").isEqualTo(200);

        master.resume();

        waitUntil().untilAsserted(() -> assertThat(manager.check().healthy()).isTrue());
        manager.requireAvailable();
        assertThat(ids(awaitReady(app, 1))).isEqualTo(before);
    }

    @Test
    void anAppNoOfferCanHoldSaysWhatIsMissing() {
        AppRef app = new AppRef("alice", "huge");
        AppSpec huge = MesosTestCluster.withResources(MesosTestCluster.hello("huge"), new Resources("8", "256Mi"));
        manager.deploy(deployment(app, huge, 1));

        AppStatus status = awaitStatus(app, s -> assertThat(s.message()).isNotNull());

        assertThat(status.message()).contains("8 cpus").contains("the largest offer has 4 cpus");
        assertThat(status.instances()).isEmpty();
        assertThat(master.tasks()).isEmpty();
    }

    @Test
    void anImageNoAgentCanRunIsReportedInMesosWords() {
        AppRef app = new AppRef("alice", "image");
        AppSpec image = new AppSpec(
                "image",
                "emp/web:1",
                null,
                8080,
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
        manager.deploy(deployment(app, image, 1));

        waitUntil()
                .untilAsserted(() -> assertThat(eventsOf(app, ClusterEvent.Type.CRASHED))
                        .anySatisfy(event -> assertThat(event.message())
                                .contains("TASK_FAILED (REASON_CONTAINER_LAUNCH_FAILED): Failed to launch container")
                                .contains("--containerizers=docker,mesos")));
        assertThat(master.tasks())
                .allSatisfy(task -> assertThat(
                                task.info().getContainer().getDocker().getImage())
                        .isEqualTo("emp/web:1"));
    }

    // ---- helpers ----

    private static Event decode(RecordedFrame frame) {
        try {
            return frame.decode();
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("the master sent a frame mesos-java cannot read", e);
        }
    }

    private static AppDeployment deployment(AppRef app, AppSpec spec, int replicas) {
        return new AppDeployment(app, spec, replicas, Map.of("EMP_SERVICE_NAME", app.toString()));
    }

    private AppStatus awaitReady(AppRef app, int count) {
        return awaitStatus(app, status -> {
            assertThat(status.instances()).hasSize(count);
            assertThat(status.instances()).extracting(InstanceStatus::state).containsOnly(InstanceState.READY);
        });
    }

    private AppStatus awaitStatus(AppRef app, Consumer<AppStatus> assertion) {
        AppStatus[] last = new AppStatus[1];
        waitUntil().untilAsserted(() -> {
            AppStatus status = manager.status(app);
            assertion.accept(status);
            last[0] = status;
        });
        return last[0];
    }

    private static ConditionFactory waitUntil() {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100));
    }

    private List<ClusterEvent> eventsOf(AppRef app, ClusterEvent.Type type) {
        return events.stream()
                .filter(event -> event.app().equals(app) && event.type() == type)
                .toList();
    }

    private List<Call> callsOf(Call.Type type) {
        return master.calls().stream().filter(call -> call.getType() == type).toList();
    }

    private Set<String> onAgent(String agentId) {
        return master.tasks().stream()
                .filter(task -> task.agentId().equals(agentId) && !terminal(task))
                .map(TaskView::taskId)
                .collect(Collectors.toSet());
    }

    private static boolean terminal(TaskView task) {
        return MesosTask.TERMINAL.contains(task.state());
    }

    private static Set<String> ids(AppStatus status) {
        return status.instances().stream().map(InstanceStatus::id).collect(Collectors.toSet());
    }

    private static Set<String> readyIds(AppStatus status) {
        return status.instances().stream()
                .filter(instance -> instance.state() == InstanceState.READY)
                .map(InstanceStatus::id)
                .collect(Collectors.toSet());
    }
}
