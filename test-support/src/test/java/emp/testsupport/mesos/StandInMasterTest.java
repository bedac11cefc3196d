package emp.testsupport.mesos;

import static emp.testsupport.mesos.SchedulerClient.WAIT;
import static emp.testsupport.mesos.SchedulerClient.capability;
import static emp.testsupport.mesos.SchedulerClient.commandTask;
import static emp.testsupport.mesos.SchedulerClient.framework;
import static emp.testsupport.mesos.SchedulerClient.ports;
import static emp.testsupport.mesos.SchedulerClient.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.DurationInfo;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandInMasterTest {
    @TempDir
    Path workDir;

    private StandInMaster master;
    private final List<SchedulerClient> clients = new java.util.ArrayList<>();

    @BeforeEach
    void startMaster() {
        master = StandInMaster.builder(workDir)
                .agent("agent-1", 2, 1024, 31000, 31009)
                .heartbeatInterval(Duration.ofMillis(300))
                .statusRetryInterval(Duration.ofMillis(300))
                .allocationInterval(Duration.ofMillis(50))
                .start();
    }

    @AfterEach
    void stopMaster() {
        clients.forEach(SchedulerClient::close);
        master.close();
    }

    private SchedulerClient json() {
        SchedulerClient client = SchedulerClient.json(master.uri());
        clients.add(client);
        return client;
    }

    private SchedulerClient protobuf() {
        SchedulerClient client = SchedulerClient.protobuf(master.uri());
        clients.add(client);
        return client;
    }

    private SchedulerClient subscribed(FrameworkInfo info) {
        SchedulerClient client = json();
        assertThat(client.subscribe(info).statusCode()).isEqualTo(200);
        return client;
    }

    @Test
    void subscribingStreamsSubscribedThenHeartbeats() {
        SchedulerClient client = json();

        HttpResponse<InputStream> response = client.subscribe(framework("songs").build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        assertThat(client.streamId()).matches("[0-9a-f-]{36}");
        Event subscribed = client.events().get(0);
        assertThat(subscribed.getType()).isEqualTo(Event.Type.SUBSCRIBED);
        assertThat(subscribed.getSubscribed().getFrameworkId().getValue())
                .isEqualTo(master.frameworkId().orElseThrow());
        assertThat(subscribed.getSubscribed().getHeartbeatIntervalSeconds()).isEqualTo(0.3);
        assertThat(subscribed.getSubscribed().getMasterInfo().getPort())
                .isEqualTo(master.uri().getPort());
        assertThat(subscribed.getSubscribed().getMasterInfo().getIp()).isEqualTo(16777343);
        assertThat(subscribed.getSubscribed().getMasterInfo().getVersion()).isEqualTo("1.11.0");
        await().atMost(WAIT).until(() -> client.events(Event.Type.HEARTBEAT).size() >= 3);
        assertThat(master.subscribed()).isTrue();
        assertThat(master.subscriptions()).isEqualTo(1);
    }

    @Test
    void subscribingWithProtobufStreamsProtobuf() {
        SchedulerClient client = protobuf();

        HttpResponse<InputStream> response = client.subscribe(framework("songs").build());

        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
        assertThat(client.frameworkId().getValue())
                .isEqualTo(master.frameworkId().orElseThrow());
        assertThat(client.nextOffer(null).getAgentId().getValue()).isEqualTo("agent-1");
    }

    @Test
    void answersBadRequestsWithTheMastersStatusCodesAndMessages() {
        SchedulerClient client = subscribed(framework("songs").build());
        String stream = client.streamId();
        String frameworkId = client.frameworkId().getValue();

        assertThat(post("{\"type\":", "application/json")).satisfies(status(400, "Failed to parse body into JSON: "));
        assertThat(post("\u0001garbage", "application/x-protobuf"))
                .satisfies(status(400, "Failed to parse body into Call protobuf"));
        assertThat(post("{}", "text/plain")).satisfies(status(415, "Expecting 'Content-Type' of application/json"));
        assertThat(post("{}", "application/json; charset=utf-8")).satisfies(status(415, "Expecting 'Content-Type'"));
        assertThat(post("{\"framework_id\":{\"value\":\"x\"}}", "application/json"))
                .satisfies(status(400, "Failed to validate scheduler::Call: Expecting 'type' to be present"));
        assertThat(post(
                        "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"name\":\"n\"}}}",
                        "application/json"))
                .satisfies(status(400, "Failed to convert JSON into Call protobuf: Missing required fields: user"));
        assertThat(post("{\"type\":\"REVIVE\"}", "application/json"))
                .satisfies(status(400, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present"));
        assertThat(post(
                        "{\"type\":\"SUBSCRIBE\",\"framework_id\":{\"value\":\"a\"},"
                                + "\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\"}}}",
                        "application/json"))
                .satisfies(status(
                        400,
                        "Failed to validate scheduler::Call: 'framework_id' differs from"
                                + " 'subscribe.framework_info.id'"));
        assertThat(post("{\"type\":\"REVIVE\",\"framework_id\":{\"value\":\"nope\"}}", "application/json"))
                .satisfies(status(400, "Framework cannot be found"));
        String revive = "{\"type\":\"REVIVE\",\"framework_id\":{\"value\":\"" + frameworkId + "\"}}";
        assertThat(post(revive, "application/json"))
                .satisfies(status(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header"));
        assertThat(client.post(
                        revive.getBytes(StandardCharsets.UTF_8),
                        Map.of("Content-Type", "application/json", "Mesos-Stream-Id", "not-" + stream)))
                .satisfies(status(400, "The stream ID 'not-" + stream + "' included in this request didn't match"))
                .satisfies(response -> assertThat(response.body()).contains(frameworkId));
        assertThat(client.post(
                        revive.getBytes(StandardCharsets.UTF_8),
                        Map.of("Content-Type", "application/json", "Mesos-Stream-Id", stream)))
                .satisfies(status(202, ""));
        String subscribe =
                "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\"}}}";
        assertThat(client.post(
                        subscribe.getBytes(StandardCharsets.UTF_8),
                        Map.of("Content-Type", "application/json", "Mesos-Stream-Id", stream)))
                .satisfies(status(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header"));
        assertThat(client.post(
                        subscribe.getBytes(StandardCharsets.UTF_8),
                        Map.of("Content-Type", "application/json", "Accept", "text/html")))
                .satisfies(status(406, "Expecting 'Accept' to allow"));
        HttpResponse<String> get =
                send(HttpRequest.newBuilder(scheduler()).GET().build());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(master.calls()).extracting(Call::getType).contains(Call.Type.REVIVE, Call.Type.SUBSCRIBE);
    }

    @Test
    void aFrameworkThatIsNotSubscribedIsForbidden() {
        SchedulerClient client =
                subscribed(framework("songs").setFailoverTimeout(60).build());
        String stream = client.streamId();
        client.close();
        await().atMost(WAIT).until(() -> !master.subscribed());

        HttpResponse<String> response = client.post(
                ("{\"type\":\"REVIVE\",\"framework_id\":{\"value\":\""
                                + client.frameworkId().getValue() + "\"}}")
                        .getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json", "Mesos-Stream-Id", stream));

        assertThat(response).satisfies(status(403, "Framework is not subscribed"));
    }

    @Test
    void aCredentialRequiresBasicAuthentication() {
        master.close();
        master = StandInMaster.builder(workDir)
                .agent("agent-1", 1, 256, 31000, 31000)
                .credential("emp", "s3cret")
                .start();

        HttpResponse<String> anonymous = post("{}", "application/json");
        SchedulerClient wrong = SchedulerClient.authenticated(master.uri(), "emp", "guess");
        clients.add(wrong);
        SchedulerClient right = SchedulerClient.authenticated(master.uri(), "emp", "s3cret");
        clients.add(right);

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                .hasValue("Basic realm=\"mesos-master-scheduler\"");
        assertThat(wrong.subscribe(framework("songs").build()).statusCode()).isEqualTo(401);
        assertThat(right.subscribe(framework("songs").build()).statusCode()).isEqualTo(200);
        assertThat(right.nextOffer(null)).isNotNull();
    }

    @Test
    void offersCarryTheAgentsResourcesAndAddress() {
        SchedulerClient client = subscribed(framework("songs").build());

        Offer offer = client.nextOffer("agent-1");

        assertThat(offer.getHostname()).isEqualTo("127.0.0.1");
        assertThat(offer.getFrameworkId()).isEqualTo(client.frameworkId());
        assertThat(offer.getUrl().getScheme()).isEqualTo("http");
        assertThat(offer.getUrl().getAddress().getIp()).isEqualTo("127.0.0.1");
        assertThat(offer.getUrl().getAddress().getPort())
                .isEqualTo(master.agentUri("agent-1").getPort());
        assertThat(offer.getUrl().getPath()).isEqualTo("/slave(1)");
        assertThat(offer.getResourcesList()).extracting(Resource::getName).containsExactly("cpus", "mem", "ports");
        assertThat(offer.getResources(0).getScalar().getValue()).isEqualTo(2.0);
        assertThat(offer.getResources(1).getScalar().getValue()).isEqualTo(1024.0);
        assertThat(offer.getResources(2).getRanges().getRange(0).getBegin()).isEqualTo(31000);
        assertThat(offer.getResources(2).getRanges().getRange(0).getEnd()).isEqualTo(31009);
        assertThat(offer.getResourcesList()).allSatisfy(resource -> {
            assertThat(resource.getAllocationInfo().getRole()).isEqualTo("*");
            assertThat(resource.getReservationsCount()).isZero();
        });
    }

    @Test
    void declinedResourcesComeBackAfterTheFilterOrARevive() {
        SchedulerClient client = subscribed(framework("songs").build());
        Offer first = client.nextOffer(null);

        client.call(Call.newBuilder()
                .setType(Call.Type.DECLINE)
                .setDecline(Call.Decline.newBuilder()
                        .addOfferIds(first.getId())
                        .setFilters(
                                org.apache.mesos.v1.Protos.Filters.newBuilder().setRefuseSeconds(3600))));
        client.call(Call.newBuilder().setType(Call.Type.REVIVE));

        assertThat(client.nextOffer(null).getId()).isNotEqualTo(first.getId());
    }

    @Test
    void aCommandTaskRunsAndReportsStartingThenRunningAfterAcknowledgements() throws Exception {
        SchedulerClient client = subscribed(framework("songs").build());
        Offer offer = client.nextOffer(null);
        TaskInfo task = commandTask("echo-1", offer.getAgentId(), "echo hi; sleep 30", 0.5, 64).toBuilder()
                .addResources(ports(31003, 31004))
                .build();

        assertThat(client.accept(offer.getId(), task).statusCode()).isEqualTo(202);

        TaskStatus starting = client.awaitUpdate("echo-1", TaskState.TASK_STARTING);
        assertThat(starting.getSource()).isEqualTo(TaskStatus.Source.SOURCE_EXECUTOR);
        assertThat(starting.getAgentId().getValue()).isEqualTo("agent-1");
        assertThat(starting.getUuid().size()).isEqualTo(16);
        // The agent is at RUNNING already, but its update waits for the acknowledgement of STARTING: a
        // reconciliation answer, which travels the same ordered stream, arrives with no RUNNING update before it
        // and reports the state last forwarded.
        await().atMost(WAIT).until(() -> master.task("echo-1").orElseThrow().state() == TaskState.TASK_RUNNING);
        client.call(Call.newBuilder().setType(Call.Type.RECONCILE).setReconcile(Call.Reconcile.newBuilder()));
        TaskStatus reconciled = client.await(
                        Event.Type.UPDATE,
                        event -> event.getUpdate().getStatus().getReason() == TaskStatus.Reason.REASON_RECONCILIATION)
                .getUpdate()
                .getStatus();
        assertThat(reconciled.getState()).isEqualTo(TaskState.TASK_STARTING);
        assertThat(client.updates("echo-1")).extracting(TaskStatus::getState).doesNotContain(TaskState.TASK_RUNNING);
        client.acknowledge(starting);
        TaskStatus running = client.awaitUpdate("echo-1", TaskState.TASK_RUNNING);
        assertThat(running.getExecutorId().getValue()).isEqualTo("echo-1");
        assertThat(running.getContainerStatus()
                        .getNetworkInfos(0)
                        .getIpAddresses(0)
                        .getIpAddress())
                .isEqualTo("127.0.0.1");
        client.acknowledge(running);

        TaskView view = master.task("echo-1").orElseThrow();
        assertThat(view.state()).isEqualTo(TaskState.TASK_RUNNING);
        assertThat(view.argv()).containsExactly("sh", "-c", "echo hi; sleep 30");
        assertThat(view.hostPorts()).containsExactly(31003, 31004);
        assertThat(view.environment()).containsEntry("MESOS_TASK_ID", "echo-1");
        assertThat(ProcessHandle.of(view.pid().orElseThrow()))
                .hasValueSatisfying(process -> assertThat(process.isAlive()).isTrue());
        URI read = master.agentUri("agent-1")
                .resolve("/files/read?path=/frameworks/" + client.frameworkId().getValue()
                        + "/executors/echo-1/runs/latest/stdout&offset=0");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(
                                send(HttpRequest.newBuilder(read).build()).body())
                        .isEqualTo("{\"data\":\"hi\\n\",\"offset\":0}"));
        assertThat(send(HttpRequest.newBuilder(master.agentUri("agent-1")
                                        .resolve("/files/read?path=/frameworks/"
                                                + client.frameworkId().getValue()
                                                + "/executors/echo-1/runs/latest/stdout&offset=-1"))
                                .build())
                        .body())
                .isEqualTo("{\"data\":\"\",\"offset\":3}");
        assertThat(send(HttpRequest.newBuilder(master.agentUri("agent-1").resolve("/state"))
                                .build())
                        .body())
                .contains("\"id\":\"agent-1\"")
                .contains("\"id\":\"" + client.frameworkId().getValue() + "\"")
                .contains("\"directory\":\"" + view.sandbox().orElseThrow() + "\"");
        assertThat(send(HttpRequest.newBuilder(master.agentUri("agent-1").resolve("/files/read?path=/nope"))
                                .build())
                        .statusCode())
                .isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(master.agentUri("agent-1").resolve("/files/read"))
                                .build())
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void anUnacknowledgedUpdateIsSentAgainWithTheSameUuid() {
        SchedulerClient client = subscribed(framework("songs").build());
        client.launch("quiet", "sleep 30");

        TaskStatus starting = client.awaitUpdate("quiet", TaskState.TASK_STARTING);

        await().atMost(WAIT).until(() -> client.updates("quiet").size() >= 2);
        assertThat(client.updates("quiet")).allSatisfy(status -> {
            assertThat(status.getState()).isEqualTo(TaskState.TASK_STARTING);
            assertThat(status.getUuid()).isEqualTo(starting.getUuid());
        });
        await().atMost(WAIT).until(() -> master.task("quiet").orElseThrow().state() == TaskState.TASK_RUNNING);
        master.redeliver("quiet");
        await().atMost(WAIT).until(() -> client.updates("quiet").size() >= 3);
    }

    @Test
    void aTaskThatUsesMoreThanItsOfferFailsValidation() {
        SchedulerClient client = subscribed(framework("songs").build());
        Offer offer = client.nextOffer(null);

        client.accept(offer.getId(), commandTask("greedy", offer.getAgentId(), "true", 4, 64));

        TaskStatus error = client.awaitUpdate("greedy", TaskState.TASK_ERROR);
        assertThat(error.getReason()).isEqualTo(TaskStatus.Reason.REASON_TASK_INVALID);
        assertThat(error.getSource()).isEqualTo(TaskStatus.Source.SOURCE_MASTER);
        assertThat(error.getMessage())
                .isEqualTo("Total resources cpus(allocated: *):4; mem(allocated: *):64 required by task and its"
                        + " executor is more than available cpus(allocated: *):2; mem(allocated: *):1024;"
                        + " ports(allocated: *):[31000-31009]");
        assertThat(error.hasUuid()).isFalse();
        assertThat(master.tasks()).isEmpty();
    }

    @Test
    void anOfferUsedTwiceLosesTheSecondTask() {
        SchedulerClient client = subscribed(framework("songs").build());
        Offer offer = client.nextOffer(null);
        client.accept(offer.getId(), commandTask("first", offer.getAgentId(), "sleep 30", 0.1, 32));

        client.accept(offer.getId(), commandTask("second", offer.getAgentId(), "sleep 30", 0.1, 32));

        TaskStatus lost = client.awaitUpdate("second", TaskState.TASK_LOST);
        assertThat(lost.getReason()).isEqualTo(TaskStatus.Reason.REASON_INVALID_OFFERS);
        assertThat(lost.getSource()).isEqualTo(TaskStatus.Source.SOURCE_MASTER);
        assertThat(lost.getMessage())
                .isEqualTo("Task launched with invalid offers: Offer "
                        + offer.getId().getValue() + " is no longer valid");
    }

    @Test
    void aPartitionAwareFrameworkGetsTaskDroppedForAnInvalidOffer() {
        SchedulerClient client = subscribed(framework("songs")
                .addCapabilities(capability(FrameworkInfo.Capability.Type.PARTITION_AWARE))
                .build());
        Offer offer = client.nextOffer(null);
        client.call(Call.newBuilder()
                .setType(Call.Type.DECLINE)
                .setDecline(Call.Decline.newBuilder().addOfferIds(offer.getId())));

        client.accept(offer.getId(), commandTask("late", offer.getAgentId(), "true", 0.1, 32));

        assertThat(client.awaitUpdate("late", TaskState.TASK_DROPPED).getReason())
                .isEqualTo(TaskStatus.Reason.REASON_INVALID_OFFERS);
    }

    @Test
    void aDockerTaskFailsAsOnAnAgentWithOnlyTheMesosContainerizer() {
        SchedulerClient client = subscribed(framework("songs").build());
        Offer offer = client.nextOffer(null);
        TaskInfo docker = commandTask("boxed", offer.getAgentId(), "nginx", 0.1, 32).toBuilder()
                .setContainer(ContainerInfo.newBuilder()
                        .setType(ContainerInfo.Type.DOCKER)
                        .setDocker(ContainerInfo.DockerInfo.newBuilder().setImage("nginx:1")))
                .build();

        client.accept(offer.getId(), docker);

        TaskStatus failed = client.awaitUpdate("boxed", TaskState.TASK_FAILED);
        assertThat(failed.getSource()).isEqualTo(TaskStatus.Source.SOURCE_AGENT);
        assertThat(failed.getReason()).isEqualTo(TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED);
        assertThat(failed.getMessage()).contains("containerizers (mesos)");
        assertThat(failed.getUuid().size()).isEqualTo(16);
        assertThat(master.task("boxed").orElseThrow().pid()).isEmpty();
    }

    @Test
    void aKilledTaskReportsKillingThenKilled() {
        SchedulerClient client = subscribed(framework("songs")
                .addCapabilities(capability(FrameworkInfo.Capability.Type.TASK_KILLING_STATE))
                .build());
        client.launch("doomed", "sleep 30");
        client.awaitAcknowledging("doomed", TaskState.TASK_RUNNING);
        long pid = master.task("doomed").orElseThrow().pid().orElseThrow();

        client.call(Call.newBuilder()
                .setType(Call.Type.KILL)
                .setKill(Call.Kill.newBuilder()
                        .setTaskId(TaskID.newBuilder().setValue("doomed"))
                        .setKillPolicy(KillPolicy.newBuilder()
                                .setGracePeriod(DurationInfo.newBuilder().setNanoseconds(1_000_000_000)))));

        TaskStatus killed = client.awaitAcknowledging("doomed", TaskState.TASK_KILLED);
        assertThat(client.updates("doomed"))
                .extracting(TaskStatus::getState)
                .containsSubsequence(TaskState.TASK_KILLING, TaskState.TASK_KILLED);
        assertThat(killed.getMessage()).isEqualTo("Command terminated with signal Terminated");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(master.task("doomed").orElseThrow().state()).isEqualTo(TaskState.TASK_KILLED);
    }

    @Test
    void killingAnUnknownTaskAnswersWithAReconciliationUpdate() {
        SchedulerClient client = subscribed(framework("songs").build());

        client.call(Call.newBuilder()
                .setType(Call.Type.KILL)
                .setKill(Call.Kill.newBuilder().setTaskId(TaskID.newBuilder().setValue("ghost"))));

        TaskStatus lost = client.awaitUpdate("ghost", TaskState.TASK_LOST);
        assertThat(lost.getReason()).isEqualTo(TaskStatus.Reason.REASON_RECONCILIATION);
        assertThat(lost.hasUuid()).isFalse();
    }

    @Test
    void tasksThatEndReportFinishedOrFailedWithTheExitStatus() {
        SchedulerClient client = subscribed(framework("songs").build());
        Offer offer = client.nextOffer(null);

        client.accept(
                offer.getId(),
                commandTask("ok", offer.getAgentId(), "exit 0", 0.1, 32),
                commandTask("bad", offer.getAgentId(), "exit 3", 0.1, 32));

        assertThat(client.awaitAcknowledging("ok", TaskState.TASK_FINISHED).getMessage())
                .isEqualTo("Command exited with status 0");
        assertThat(client.awaitAcknowledging("bad", TaskState.TASK_FAILED).getMessage())
                .isEqualTo("Command exited with status 3");
        // Once their terminal updates are acknowledged the master forgets them, and reconciliation says so.
        client.call(Call.newBuilder()
                .setType(Call.Type.RECONCILE)
                .setReconcile(Call.Reconcile.newBuilder()
                        .addTasks(Call.Reconcile.Task.newBuilder()
                                .setTaskId(TaskID.newBuilder().setValue("ok"))
                                .setAgentId(AgentID.newBuilder().setValue("agent-1")))));
        await().atMost(WAIT)
                .until(() -> client.updates("ok").stream()
                        .anyMatch(status -> status.getReason() == TaskStatus.Reason.REASON_RECONCILIATION
                                && status.getState() == TaskState.TASK_LOST
                                && status.getMessage().equals("Reconciliation: Task is unknown to the agent")));
    }

    @Test
    void failTaskKillsItsProcessAndReportsTheMessage() {
        SchedulerClient client = subscribed(framework("songs").build());
        client.launch("victim", "sleep 30");
        client.awaitAcknowledging("victim", TaskState.TASK_RUNNING);

        master.failTask("victim", "Memory limit exceeded");

        TaskStatus failed = client.awaitAcknowledging("victim", TaskState.TASK_FAILED);
        assertThat(failed.getMessage()).isEqualTo("Memory limit exceeded");
        assertThat(failed.getSource()).isEqualTo(TaskStatus.Source.SOURCE_EXECUTOR);
    }

    @Test
    void reconciliationReportsLatestStatesWithoutUuids() {
        SchedulerClient client = subscribed(framework("songs").build());
        client.launch("steady", "sleep 30");
        client.awaitAcknowledging("steady", TaskState.TASK_RUNNING);

        client.call(Call.newBuilder().setType(Call.Type.RECONCILE).setReconcile(Call.Reconcile.newBuilder()));
        client.call(Call.newBuilder()
                .setType(Call.Type.RECONCILE)
                .setReconcile(Call.Reconcile.newBuilder()
                        .addTasks(Call.Reconcile.Task.newBuilder()
                                .setTaskId(TaskID.newBuilder().setValue("never-launched")))));

        TaskStatus implicit = client.await(
                        Event.Type.UPDATE,
                        event -> event.getUpdate().getStatus().getReason() == TaskStatus.Reason.REASON_RECONCILIATION
                                && event.getUpdate()
                                        .getStatus()
                                        .getTaskId()
                                        .getValue()
                                        .equals("steady"))
                .getUpdate()
                .getStatus();
        assertThat(implicit.getState()).isEqualTo(TaskState.TASK_RUNNING);
        assertThat(implicit.getSource()).isEqualTo(TaskStatus.Source.SOURCE_MASTER);
        assertThat(implicit.hasUuid()).isFalse();
        TaskStatus unknown = client.awaitUpdate("never-launched", TaskState.TASK_LOST);
        assertThat(unknown.getReason()).isEqualTo(TaskStatus.Reason.REASON_RECONCILIATION);
        assertThat(unknown.getMessage()).isEqualTo("Reconciliation: Task is unknown");
    }

    @Test
    void aSecondSubscriptionWithTheSameIdFailsTheFirstOverAndKeepsTheTasks() {
        SchedulerClient first =
                subscribed(framework("songs").setFailoverTimeout(60).build());
        first.launch("survivor", "sleep 30");
        first.awaitAcknowledging("survivor", TaskState.TASK_RUNNING);

        SchedulerClient second = json();
        assertThat(second.subscribe(framework("songs")
                                .setId(first.frameworkId())
                                .setFailoverTimeout(60)
                                .build())
                        .statusCode())
                .isEqualTo(200);

        assertThat(second.frameworkId()).isEqualTo(first.frameworkId());
        assertThat(first.await(Event.Type.ERROR, event -> true).getError().getMessage())
                .isEqualTo("Framework failed over");
        await().atMost(WAIT).until(first::ended);
        assertThat(master.task("survivor").orElseThrow().state()).isEqualTo(TaskState.TASK_RUNNING);
        second.call(Call.newBuilder().setType(Call.Type.RECONCILE).setReconcile(Call.Reconcile.newBuilder()));
        assertThat(second.awaitUpdate("survivor", TaskState.TASK_RUNNING).getReason())
                .isEqualTo(TaskStatus.Reason.REASON_RECONCILIATION);
        assertThat(master.subscriptions()).isEqualTo(2);
    }

    @Test
    void aDroppedSubscriptionCanSubscribeAgainWithinItsFailoverTimeout() {
        SchedulerClient first =
                subscribed(framework("songs").setFailoverTimeout(60).build());
        first.launch("steady", "sleep 30");
        first.awaitAcknowledging("steady", TaskState.TASK_RUNNING);

        master.dropSubscription();

        await().atMost(WAIT).until(first::ended);
        assertThat(master.subscribed()).isFalse();
        SchedulerClient second = json();
        second.subscribe(framework("songs").setId(first.frameworkId()).build());
        assertThat(master.subscribed()).isTrue();
        assertThat(master.task("steady").orElseThrow().state()).isEqualTo(TaskState.TASK_RUNNING);
        assertThat(second.nextOffer(null)).isNotNull();
    }

    @Test
    void aFrameworkWithoutFailoverTimeoutIsRemovedWhenItsStreamCloses() {
        SchedulerClient first = subscribed(framework("songs").build());
        first.launch("orphan", "sleep 30");
        first.awaitAcknowledging("orphan", TaskState.TASK_RUNNING);
        long pid = master.task("orphan").orElseThrow().pid().orElseThrow();

        first.close();

        await().atMost(WAIT).until(() -> master.task("orphan").orElseThrow().state() == TaskState.TASK_KILLED);
        await().atMost(WAIT)
                .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
        SchedulerClient second = json();
        second.subscribe(framework("songs").setId(first.frameworkId()).build());
        assertThat(second.await(Event.Type.ERROR, event -> true).getError().getMessage())
                .isEqualTo("Framework has been removed");
    }

    @Test
    void aPausedMasterRefusesConnectionsAndResumesWithItsTasks() {
        SchedulerClient first =
                subscribed(framework("songs").setFailoverTimeout(1).build());
        first.launch("patient", "sleep 30");
        first.awaitAcknowledging("patient", TaskState.TASK_RUNNING);

        master.pause();

        await().atMost(WAIT).until(first::ended);
        assertThatThrownBy(() -> SchedulerClient.HTTP.send(
                        HttpRequest.newBuilder(scheduler())
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
        master.resume();
        SchedulerClient second = json();
        assertThat(second.subscribe(
                                framework("songs").setId(first.frameworkId()).build())
                        .statusCode())
                .isEqualTo(200);
        assertThat(second.frameworkId()).isEqualTo(first.frameworkId());
        assertThat(master.task("patient").orElseThrow().state()).isEqualTo(TaskState.TASK_RUNNING);
        assertThat(ProcessHandle.of(master.task("patient").orElseThrow().pid().orElseThrow()))
                .hasValueSatisfying(process -> assertThat(process.isAlive()).isTrue());
    }

    @Test
    void aLostAgentLosesItsTasksAndOffers() {
        master.addAgent("agent-2", 1, 512, 32000, 32009);
        SchedulerClient client = subscribed(framework("songs").build());
        Offer offer = client.nextOffer("agent-1");
        client.accept(
                offer.getId(),
                org.apache.mesos.v1.Protos.Filters.newBuilder()
                        .setRefuseSeconds(0)
                        .build(),
                commandTask("stranded", offer.getAgentId(), "sleep 30", 0.1, 32));
        client.awaitAcknowledging("stranded", TaskState.TASK_RUNNING);
        long pid = master.task("stranded").orElseThrow().pid().orElseThrow();
        await().atMost(WAIT)
                .until(() -> client.events(Event.Type.OFFERS).stream()
                        .flatMap(event -> event.getOffers().getOffersList().stream())
                        .anyMatch(candidate -> candidate.getAgentId().getValue().equals("agent-1")
                                && !candidate.getId().equals(offer.getId())));

        master.loseAgent("agent-1");

        TaskStatus lost = client.awaitUpdate("stranded", TaskState.TASK_LOST);
        assertThat(lost.getReason()).isEqualTo(TaskStatus.Reason.REASON_AGENT_REMOVED);
        assertThat(lost.getSource()).isEqualTo(TaskStatus.Source.SOURCE_MASTER);
        assertThat(client.await(Event.Type.FAILURE, event -> true)
                        .getFailure()
                        .getAgentId()
                        .getValue())
                .isEqualTo("agent-1");
        assertThat(client.events(Event.Type.RESCIND)).isNotEmpty();
        await().atMost(WAIT)
                .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
        assertThat(master.task("stranded").orElseThrow().state()).isEqualTo(TaskState.TASK_LOST);
        master.addAgent("agent-1", 2, 1024, 31000, 31009);
        assertThat(client.nextOffer("agent-1")).isNotNull();
    }

    @Test
    void anHttpHealthCheckReportsHealthAndKillsTheTaskAfterConsecutiveFailures() throws IOException {
        AtomicInteger answer = new AtomicInteger(200);
        HttpServer probe = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        probe.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(answer.get(), -1);
            exchange.close();
        });
        probe.start();
        try {
            SchedulerClient client = subscribed(framework("songs").build());
            Offer offer = client.nextOffer(null);
            TaskInfo task = commandTask("checked", offer.getAgentId(), "sleep 30", 0.1, 32).toBuilder()
                    .setHealthCheck(HealthCheck.newBuilder()
                            .setType(HealthCheck.Type.HTTP)
                            .setHttp(HealthCheck.HTTPCheckInfo.newBuilder()
                                    .setPort(probe.getAddress().getPort())
                                    .setPath("/health"))
                            .setDelaySeconds(0)
                            .setIntervalSeconds(0.1)
                            .setGracePeriodSeconds(0)
                            .setConsecutiveFailures(2))
                    .build();
            client.accept(offer.getId(), task);

            TaskStatus healthy = client.awaitAcknowledging("checked", TaskState.TASK_RUNNING);
            await().atMost(WAIT).until(() -> client.updates("checked").stream().anyMatch(TaskStatus::getHealthy));
            answer.set(500);
            TaskStatus killed = client.awaitAcknowledging("checked", TaskState.TASK_KILLED);

            assertThat(healthy.hasHealthy()).isFalse();
            assertThat(client.updates("checked"))
                    .filteredOn(
                            status -> status.getReason() == TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED)
                    .extracting(TaskStatus::getHealthy)
                    .containsSubsequence(true, false, false);
            assertThat(killed.getHealthy()).isFalse();
        } finally {
            probe.stop(0);
        }
    }

    @Test
    void aCommandHealthCheckIgnoresFailuresInItsGracePeriod() {
        SchedulerClient client = subscribed(framework("songs").build());
        Offer offer = client.nextOffer(null);
        TaskInfo task =
                commandTask("warming", offer.getAgentId(), "sleep 0.5; touch ready; sleep 30", 0.1, 32).toBuilder()
                        .setHealthCheck(HealthCheck.newBuilder()
                                .setType(HealthCheck.Type.COMMAND)
                                .setCommand(org.apache.mesos.v1.Protos.CommandInfo.newBuilder()
                                        .setValue("test -f ready"))
                                .setDelaySeconds(0)
                                .setIntervalSeconds(0.1)
                                .setGracePeriodSeconds(20)
                                .setConsecutiveFailures(1))
                        .build();

        client.accept(offer.getId(), task);

        client.awaitAcknowledging("warming", TaskState.TASK_RUNNING);
        await().atMost(WAIT).until(() -> client.updates("warming").stream().anyMatch(TaskStatus::getHealthy));
        assertThat(client.updates("warming"))
                .filteredOn(TaskStatus::hasHealthy)
                .extracting(TaskStatus::getHealthy)
                .containsOnly(true);
        assertThat(master.task("warming").orElseThrow().state()).isEqualTo(TaskState.TASK_RUNNING);
    }

    @Test
    void aTaskGroupRunsUnderTheDefaultExecutorWhoseFrameworkIdIsRequired() throws Exception {
        SchedulerClient client = subscribed(framework("songs").build());
        Offer offer = client.nextOffer(null);
        org.apache.mesos.v1.Protos.ExecutorInfo.Builder executor = org.apache.mesos.v1.Protos.ExecutorInfo.newBuilder()
                .setType(org.apache.mesos.v1.Protos.ExecutorInfo.Type.DEFAULT)
                .setExecutorId(
                        org.apache.mesos.v1.Protos.ExecutorID.newBuilder().setValue("pod"))
                .addResources(scalar("cpus", 0.1))
                .addResources(scalar("mem", 32));
        java.util.function.Function<org.apache.mesos.v1.Protos.ExecutorInfo, Call.Builder> launchGroup =
                info -> Call.newBuilder()
                        .setType(Call.Type.ACCEPT)
                        .setAccept(Call.Accept.newBuilder()
                                .addOfferIds(offer.getId())
                                .setFilters(org.apache.mesos.v1.Protos.Filters.newBuilder()
                                        .setRefuseSeconds(0))
                                .addOperations(Offer.Operation.newBuilder()
                                        .setType(Offer.Operation.Type.LAUNCH_GROUP)
                                        .setLaunchGroup(Offer.Operation.LaunchGroup.newBuilder()
                                                .setExecutor(info)
                                                .setTaskGroup(org.apache.mesos.v1.Protos.TaskGroupInfo.newBuilder()
                                                        .addTasks(commandTask(
                                                                "web",
                                                                offer.getAgentId(),
                                                                "echo web; sleep 30",
                                                                0.1,
                                                                32))
                                                        .addTasks(commandTask(
                                                                "sidecar",
                                                                offer.getAgentId(),
                                                                "sleep 30",
                                                                0.1,
                                                                32))))));

        client.call(launchGroup.apply(executor.build()));

        TaskStatus invalid = client.awaitUpdate("web", TaskState.TASK_ERROR);
        assertThat(invalid.getReason()).isEqualTo(TaskStatus.Reason.REASON_TASK_GROUP_INVALID);
        assertThat(invalid.getMessage()).isEqualTo("'ExecutorInfo.framework_id' must be set");
        assertThat(client.awaitUpdate("sidecar", TaskState.TASK_ERROR).getReason())
                .isEqualTo(TaskStatus.Reason.REASON_TASK_GROUP_INVALID);

        client.call(
                launchGroup.apply(executor.setFrameworkId(client.frameworkId()).build()));
        // The first ACCEPT used the offer up, whatever became of its tasks.
        assertThat(client.awaitUpdate("web", TaskState.TASK_LOST).getReason())
                .isEqualTo(TaskStatus.Reason.REASON_INVALID_OFFERS);
        Offer fresh = client.nextOffer(null);
        client.call(launchGroup
                .apply(executor.build())
                .setAccept(launchGroup.apply(executor.build()).getAccept().toBuilder()
                        .setOfferIds(0, fresh.getId())));

        TaskStatus web = client.awaitAcknowledging("web", TaskState.TASK_RUNNING);
        TaskStatus sidecar = client.awaitAcknowledging("sidecar", TaskState.TASK_RUNNING);
        assertThat(web.getExecutorId().getValue()).isEqualTo("pod");
        assertThat(sidecar.getExecutorId().getValue()).isEqualTo("pod");
        assertThat(web.getContainerStatus().getContainerId())
                .isEqualTo(sidecar.getContainerStatus().getContainerId());
        URI read = master.agentUri("agent-1")
                .resolve("/files/read?path=/frameworks/" + client.frameworkId().getValue()
                        + "/executors/pod/runs/latest/tasks/web/stdout&offset=0");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(
                                send(HttpRequest.newBuilder(read).build()).body())
                        .isEqualTo("{\"data\":\"web\\n\",\"offset\":0}"));
        master.failTask("sidecar", "crashed");
        // The default executor kills the rest of a group when one of its tasks fails.
        assertThat(client.awaitAcknowledging("web", TaskState.TASK_KILLED).getSource())
                .isEqualTo(TaskStatus.Source.SOURCE_EXECUTOR);
    }

    @Test
    void teardownKillsTheTasksAndEndsTheStream() {
        SchedulerClient client =
                subscribed(framework("songs").setFailoverTimeout(60).build());
        client.launch("gone", "sleep 30");
        client.awaitAcknowledging("gone", TaskState.TASK_RUNNING);

        assertThat(client.call(Call.newBuilder().setType(Call.Type.TEARDOWN)).statusCode())
                .isEqualTo(202);

        await().atMost(WAIT).until(client::ended);
        await().atMost(WAIT).until(() -> master.task("gone").orElseThrow().state() == TaskState.TASK_KILLED);
        assertThat(master.subscribed()).isFalse();
    }

    private URI scheduler() {
        return master.uri().resolve("/api/v1/scheduler");
    }

    private HttpResponse<String> post(String body, String contentType) {
        return send(HttpRequest.newBuilder(scheduler())
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    /** The JDK client as most code uses it: HTTP/2 preferred, so it asks a cleartext server to upgrade. */
    private static final java.net.http.HttpClient DEFAULT_CLIENT = java.net.http.HttpClient.newHttpClient();

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return DEFAULT_CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static java.util.function.Consumer<HttpResponse<String>> status(int code, String bodyStart) {
        return response -> {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(code);
            assertThat(response.body()).startsWith(bodyStart);
        };
    }
}
