package emp.testsupport.mesos;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;

/**
 * A task as the stand-in master and its agent know it at one moment.
 *
 * @param taskId      the scheduler's task id
 * @param name        {@code TaskInfo.name}
 * @param agentId     the agent it was launched on
 * @param state       its latest state (the agent's view, which may be ahead of the updates the scheduler has seen)
 * @param labels      {@code TaskInfo.labels}, key to value
 * @param environment the environment its process was started with (empty before it starts)
 * @param argv        the command line its process was started with (empty before it starts, or if nothing ran)
 * @param pid         the pid of its process, once one was started (it may have exited since)
 * @param hostPorts   the ports of its {@code ports} resources
 * @param info        the {@code TaskInfo} as the master accepted it (allocation roles filled in)
 * @param frameworkId the framework that launched it
 * @param sandbox     its sandbox folder, once made
 * @param statuses    every status update the agent or the master made for it, in order (reconciliation answers
 *                    excluded)
 */
public record TaskView(
        String taskId,
        String name,
        String agentId,
        TaskState state,
        Map<String, String> labels,
        Map<String, String> environment,
        List<String> argv,
        OptionalLong pid,
        List<Integer> hostPorts,
        TaskInfo info,
        String frameworkId,
        Optional<Path> sandbox,
        List<TaskStatus> statuses) {
    public TaskView {
        requireNonNull(taskId, "taskId is null");
        requireNonNull(name, "name is null");
        requireNonNull(agentId, "agentId is null");
        requireNonNull(state, "state is null");
        labels = Map.copyOf(labels);
        environment = Map.copyOf(environment);
        argv = List.copyOf(argv);
        requireNonNull(pid, "pid is null");
        hostPorts = List.copyOf(hostPorts);
        requireNonNull(info, "info is null");
        requireNonNull(frameworkId, "frameworkId is null");
        requireNonNull(sandbox, "sandbox is null");
        statuses = List.copyOf(statuses);
    }
}
