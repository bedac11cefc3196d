package emp.testsupport.mesos;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.Label;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;

/**
 * A task as the master and its agent track it: what was launched, its process, its status update stream (the updates
 * awaiting acknowledgement), its kill and its health checks. Guarded by the master's lock.
 */
final class TaskEntry {
    final String frameworkId;
    final AgentEntry agent;
    final TaskInfo info;
    final String taskId;
    final String executorId;
    final String containerId;
    final Path sandbox;
    final GroupExecutor group;
    final ResourceSet resources;
    final List<TaskStatus> statuses = new ArrayList<>();
    final Deque<TaskStatus> pending = new ArrayDeque<>();

    TaskState state = TaskState.TASK_STAGING;
    TaskState statusUpdateState;
    ByteString statusUpdateUuid;
    TaskStatus lastForwarded;
    TaskStatus lastExecutorStatus;
    ScheduledFuture<?> retry;
    Process process;
    Map<String, String> environment = Map.of();
    List<String> argv = List.of();
    boolean sandboxMade;
    boolean launching;
    boolean killRequested;
    KillPolicy killOverride;
    boolean killed;
    boolean killedByHealthCheck;
    boolean signalled;
    boolean terminated;
    boolean shutdown;
    boolean agentGone;
    boolean released;
    boolean removedFromMaster;
    boolean unreachable;
    String failMessage;
    ScheduledFuture<?> escalation;
    ScheduledFuture<?> healthCheck;
    boolean healthStopped;
    boolean healthInitializing;
    long healthStarted;
    int consecutiveFailures;

    TaskEntry(
            String frameworkId,
            AgentEntry agent,
            TaskInfo info,
            String executorId,
            String containerId,
            Path sandbox,
            GroupExecutor group) {
        this.frameworkId = frameworkId;
        this.agent = agent;
        this.info = info;
        this.taskId = info.getTaskId().getValue();
        this.executorId = executorId;
        this.containerId = containerId;
        this.sandbox = sandbox;
        this.group = group;
        this.resources = ResourceSet.of(info.getResourcesList()).unallocated();
    }

    /** The task as tests see it. */
    TaskView view() {
        Map<String, String> labels = new LinkedHashMap<>();
        for (Label label : info.getLabels().getLabelsList()) {
            labels.put(label.getKey(), label.getValue());
        }
        return new TaskView(
                taskId,
                info.getName(),
                agent.id,
                state,
                labels,
                environment,
                argv,
                process == null ? OptionalLong.empty() : OptionalLong.of(process.pid()),
                resources.ports(),
                info,
                frameworkId,
                sandboxMade ? Optional.of(sandbox) : Optional.empty(),
                statuses);
    }
}
