package emp.testsupport.mesos;

import static emp.testsupport.mesos.MasterState.cancel;
import static emp.testsupport.mesos.MesosMessages.agentId;
import static emp.testsupport.mesos.MesosMessages.isTerminal;
import static emp.testsupport.mesos.MesosMessages.randomUuid;
import static emp.testsupport.mesos.MesosMessages.update;
import static emp.testsupport.mesos.StandInMaster.HOSTNAME;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.ContainerID;
import org.apache.mesos.v1.Protos.ContainerStatus;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.NetworkInfo;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;

/**
 * An agent's status update manager: the updates of a task go to its framework in order, one at a time, each sent again
 * with a doubling interval (up to 10 minutes) until the scheduler acknowledges it.
 */
final class StatusUpdateManager {
    private static final Duration MAX_STATUS_RETRY_INTERVAL = Duration.ofMinutes(10);

    private final MasterState master;

    StatusUpdateManager(MasterState master) {
        this.master = master;
    }

    TaskStatus.Builder agentStatus(
            TaskEntry task, TaskState state, TaskStatus.Source source, TaskStatus.Reason reason, String message) {
        TaskStatus.Builder status = TaskStatus.newBuilder()
                .setTaskId(TaskID.newBuilder().setValue(task.taskId))
                .setState(state)
                .setSource(source)
                .setAgentId(agentId(task.agent.id))
                .setExecutorId(ExecutorID.newBuilder().setValue(task.executorId))
                .setTimestamp(System.currentTimeMillis() / 1000.0)
                .setUuid(randomUuid());
        if (reason != null) {
            status.setReason(reason);
        }
        if (message != null) {
            status.setMessage(message);
        }
        if (state == TaskState.TASK_RUNNING) {
            status.setContainerStatus(containerStatus(task));
        }
        return status;
    }

    void agentUpdate(
            TaskEntry task, TaskState state, TaskStatus.Source source, TaskStatus.Reason reason, String message) {
        enqueue(task, agentStatus(task, state, source, reason, message).build());
    }

    private static ContainerStatus containerStatus(TaskEntry task) {
        ContainerStatus.Builder status = ContainerStatus.newBuilder()
                .setContainerId(ContainerID.newBuilder().setValue(task.containerId))
                .addNetworkInfos(NetworkInfo.newBuilder()
                        .addIpAddresses(NetworkInfo.IPAddress.newBuilder()
                                .setProtocol(NetworkInfo.Protocol.IPv4)
                                .setIpAddress(HOSTNAME)));
        if (task.process != null) {
            status.setExecutorPid((int) task.process.pid());
        }
        return status.build();
    }

    /**
     * The agent's status update manager: updates of a task go to the framework in order, one at a time; the next
     * leaves when the scheduler acknowledges the one before.
     */
    void enqueue(TaskEntry task, TaskStatus status) {
        task.statuses.add(status);
        if (!isTerminal(task.state)) {
            task.state = status.getState();
        }
        if (status.getSource() == TaskStatus.Source.SOURCE_EXECUTOR) {
            task.lastExecutorStatus = status;
        }
        if (isTerminal(status.getState())) {
            // A terminal update without a process (a failed launch) ends the task as surely as an exit does.
            task.terminated |= task.process == null;
            master.releaseResources(task);
        }
        task.pending.add(status);
        if (task.pending.size() == 1) {
            forward(task, master.statusRetryInterval);
        }
    }

    /** Sends the front of the task's stream to its framework (if connected) and schedules a retry, doubling the wait. */
    void forward(TaskEntry task, Duration interval) {
        TaskStatus front = task.pending.peek();
        if (front == null || task.agentGone || task.shutdown) {
            return;
        }
        task.statusUpdateState = front.getState();
        task.statusUpdateUuid = front.getUuid();
        task.lastForwarded = front;
        FrameworkEntry framework = master.frameworks.get(task.frameworkId);
        if (framework != null && !master.paused) {
            master.send(framework, update(front));
        }
        cancel(task.retry);
        ByteString uuid = front.getUuid();
        try {
            task.retry = master.timer.schedule(
                    () -> master.locked(
                            () -> {
                                if (!task.pending.isEmpty()
                                        && task.pending.peek().getUuid().equals(uuid)) {
                                    Duration doubled = interval.multipliedBy(2);
                                    forward(
                                            task,
                                            doubled.compareTo(MAX_STATUS_RETRY_INTERVAL) > 0
                                                    ? MAX_STATUS_RETRY_INTERVAL
                                                    : doubled);
                                }
                            },
                            "status update retry"),
                    interval.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            // Closed: nothing is retried any more.
        }
    }
}
