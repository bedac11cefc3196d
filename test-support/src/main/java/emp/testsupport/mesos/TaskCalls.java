package emp.testsupport.mesos;

import static emp.testsupport.mesos.MasterState.cancel;
import static emp.testsupport.mesos.MesosMessages.agentId;
import static emp.testsupport.mesos.MesosMessages.isTerminal;
import static emp.testsupport.mesos.MesosMessages.uuidString;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's side of a task: launching it on its agent, and the scheduler's KILL, SHUTDOWN and ACKNOWLEDGE calls,
 * which it passes on to the agent.
 */
final class TaskCalls {
    /** The master's parts log under its name, so that a test's logging setup has one logger to set. */
    private static final Logger log = LoggerFactory.getLogger(StandInMaster.class);

    private final MasterState master;
    private final StatusUpdateManager statusUpdates;
    private final TaskKiller killer;
    private final TaskProcesses processes;
    private final Reconciliation reconciliation;

    TaskCalls(
            MasterState master,
            StatusUpdateManager statusUpdates,
            TaskKiller killer,
            TaskProcesses processes,
            Reconciliation reconciliation) {
        this.master = master;
        this.statusUpdates = statusUpdates;
        this.killer = killer;
        this.processes = processes;
        this.reconciliation = reconciliation;
    }

    void launch(FrameworkEntry framework, AgentEntry agent, TaskInfo task, GroupExecutor group) {
        String executorId = group != null
                ? group.executorId
                : task.hasExecutor()
                        ? task.getExecutor().getExecutorId().getValue()
                        : task.getTaskId().getValue();
        String containerId =
                group != null ? group.containerId : UUID.randomUUID().toString();
        Path runDir = agent.dir
                .resolve("frameworks")
                .resolve(framework.id)
                .resolve("executors")
                .resolve(executorId)
                .resolve("runs")
                .resolve(containerId);
        Path sandbox =
                group != null ? runDir.resolve("tasks").resolve(task.getTaskId().getValue()) : runDir;
        TaskEntry entry = new TaskEntry(framework.id, agent, task, executorId, containerId, sandbox, group);
        if (group != null) {
            group.tasks.add(entry);
        } else {
            agent.latestRuns.put(framework.id + "/" + executorId, containerId);
        }
        agent.used = agent.used.plus(entry.resources);
        master.tasks.add(entry);
        log.info(
                "launching task '{}' of framework '{}' on agent '{}' with {}",
                entry.taskId,
                framework.id,
                agent.id,
                ResourceSet.of(task.getResourcesList()));
        master.workers.execute(() -> processes.launchOnAgent(entry));
    }

    void kill(FrameworkEntry framework, Call.Kill kill) {
        String taskId = kill.getTaskId().getValue();
        Optional<TaskEntry> known = master.masterTask(framework, taskId);
        if (known.isEmpty()) {
            log.warn(
                    "cannot kill task '{}' of framework '{}' because it is unknown; reconciling", taskId, framework.id);
            Call.Reconcile.Task.Builder task = Call.Reconcile.Task.newBuilder().setTaskId(kill.getTaskId());
            if (kill.hasAgentId()) {
                task.setAgentId(kill.getAgentId());
            }
            reconciliation.reconcile(
                    framework, Call.Reconcile.newBuilder().addTasks(task).build());
            return;
        }
        TaskEntry task = known.get();
        if (kill.hasAgentId() && !kill.getAgentId().getValue().equals(task.agent.id)) {
            log.warn(
                    "cannot kill task '{}' of agent '{}' because it belongs to agent '{}'",
                    taskId,
                    kill.getAgentId().getValue(),
                    task.agent.id);
            return;
        }
        killer.killTask(task, kill.hasKillPolicy() ? kill.getKillPolicy() : null);
    }

    void shutdownExecutor(FrameworkEntry framework, Call.Shutdown shutdown) {
        for (TaskEntry task : master.tasks) {
            if (task.frameworkId.equals(framework.id)
                    && task.agent.id.equals(shutdown.getAgentId().getValue())
                    && task.executorId.equals(shutdown.getExecutorId().getValue())
                    && !task.removedFromMaster) {
                killer.killTask(task, null);
            }
        }
    }

    void acknowledge(FrameworkEntry framework, Call.Acknowledge acknowledge) {
        String agentId = acknowledge.getAgentId().getValue();
        if (!master.agents.containsKey(agentId)) {
            log.warn("cannot send an acknowledgement to agent '{}' because it is not registered", agentId);
            return;
        }
        TaskEntry task = null;
        for (int i = master.tasks.size() - 1; i >= 0; i--) {
            TaskEntry candidate = master.tasks.get(i);
            if (candidate.frameworkId.equals(framework.id)
                    && candidate.taskId.equals(acknowledge.getTaskId().getValue())
                    && candidate.agent.id.equals(agentId)
                    && !candidate.agentGone) {
                task = candidate;
                break;
            }
        }
        if (task == null) {
            log.warn(
                    "ignoring an acknowledgement for unknown task '{}'",
                    acknowledge.getTaskId().getValue());
            return;
        }
        ByteString uuid = acknowledge.getUuid();
        // The master forgets a task once its terminal update is acknowledged.
        if (!task.removedFromMaster
                && task.statusUpdateState != null
                && isTerminal(task.statusUpdateState)
                && uuid.equals(task.statusUpdateUuid)) {
            task.removedFromMaster = true;
        }
        // The agent's status update stream moves on only when its front update is acknowledged.
        if (!task.pending.isEmpty() && task.pending.peek().getUuid().equals(uuid)) {
            task.pending.poll();
            cancel(task.retry);
            if (!task.pending.isEmpty()) {
                statusUpdates.forward(task, master.statusRetryInterval);
            }
        } else {
            log.info(
                    "ignoring an acknowledgement of task '{}' for update {} that is not awaiting one",
                    task.taskId,
                    uuidString(uuid));
        }
    }
}
