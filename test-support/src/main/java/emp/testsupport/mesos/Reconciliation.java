package emp.testsupport.mesos;

import static emp.testsupport.mesos.MesosMessages.agentId;
import static emp.testsupport.mesos.MesosMessages.masterStatus;
import static emp.testsupport.mesos.MesosMessages.update;

import java.util.Optional;
import org.apache.mesos.v1.Protos.OperationState;
import org.apache.mesos.v1.Protos.OperationStatus;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * The master's answers to RECONCILE and RECONCILE_OPERATIONS: the latest state of each task it knows, and for the
 * others what it can tell from their agent (unknown, unreachable, gone).
 */
final class Reconciliation {
    private final MasterState master;

    Reconciliation(MasterState master) {
        this.master = master;
    }

    void reconcile(FrameworkEntry framework, Call.Reconcile reconcile) {
        boolean partitionAware = framework.partitionAware();
        if (reconcile.getTasksCount() == 0) {
            for (TaskEntry task : master.tasks) {
                if (task.frameworkId.equals(framework.id) && !task.removedFromMaster) {
                    master.send(framework, update(reconciliationStatus(task)));
                }
            }
            return;
        }
        for (Call.Reconcile.Task wanted : reconcile.getTasksList()) {
            Optional<TaskEntry> known =
                    master.masterTask(framework, wanted.getTaskId().getValue());
            TaskStatus status;
            String agentId = wanted.hasAgentId() ? wanted.getAgentId().getValue() : null;
            if (known.isPresent()) {
                status = reconciliationStatus(known.get());
            } else if (agentId != null && master.agents.containsKey(agentId)) {
                status = masterStatus(
                                wanted.getTaskId().getValue(),
                                agentId,
                                partitionAware ? TaskState.TASK_GONE : TaskState.TASK_LOST,
                                "Reconciliation: Task is unknown to the agent",
                                TaskStatus.Reason.REASON_RECONCILIATION)
                        .build();
            } else if (agentId != null && master.unreachableAgents.containsKey(agentId)) {
                status = masterStatus(
                                wanted.getTaskId().getValue(),
                                agentId,
                                partitionAware ? TaskState.TASK_UNREACHABLE : TaskState.TASK_LOST,
                                "Reconciliation: Task is unreachable",
                                TaskStatus.Reason.REASON_RECONCILIATION)
                        .setUnreachableTime(master.unreachableAgents.get(agentId))
                        .build();
            } else if (agentId != null && master.goneAgents.contains(agentId)) {
                status = masterStatus(
                                wanted.getTaskId().getValue(),
                                agentId,
                                partitionAware ? TaskState.TASK_GONE_BY_OPERATOR : TaskState.TASK_LOST,
                                "Reconciliation: Task is gone",
                                TaskStatus.Reason.REASON_RECONCILIATION)
                        .build();
            } else {
                status = masterStatus(
                                wanted.getTaskId().getValue(),
                                agentId,
                                partitionAware ? TaskState.TASK_UNKNOWN : TaskState.TASK_LOST,
                                "Reconciliation: Task is unknown",
                                TaskStatus.Reason.REASON_RECONCILIATION)
                        .build();
            }
            master.send(framework, update(status));
        }
    }

    /** The latest state the master forwarded for the task, without a uuid: not to be acknowledged. */
    private TaskStatus reconciliationStatus(TaskEntry task) {
        TaskStatus.Builder status = masterStatus(
                task.taskId,
                task.agent.id,
                task.statusUpdateState != null ? task.statusUpdateState : task.state,
                "Reconciliation: Latest task state",
                TaskStatus.Reason.REASON_RECONCILIATION);
        if (task.info.hasExecutor()) {
            status.setExecutorId(task.info.getExecutor().getExecutorId());
        }
        for (int i = task.statuses.size() - 1; i >= 0; i--) {
            if (task.statuses.get(i).hasHealthy()) {
                status.setHealthy(task.statuses.get(i).getHealthy());
                break;
            }
        }
        for (int i = task.statuses.size() - 1; i >= 0; i--) {
            TaskStatus earlier = task.statuses.get(i);
            if (earlier.getState() == TaskState.TASK_RUNNING && earlier.hasContainerStatus()) {
                status.setContainerStatus(earlier.getContainerStatus());
                break;
            }
        }
        return status.build();
    }

    void reconcileOperations(FrameworkEntry framework, Call.ReconcileOperations reconcile) {
        // No operation is ever pending here, so every one asked about is unknown.
        for (Call.ReconcileOperations.Operation operation : reconcile.getOperationsList()) {
            OperationStatus.Builder status = OperationStatus.newBuilder()
                    .setOperationId(operation.getOperationId())
                    .setState(OperationState.OPERATION_UNKNOWN)
                    .setMessage("Reconciliation: Operation is unknown");
            if (operation.hasAgentId()) {
                status.setAgentId(operation.getAgentId());
            }
            master.send(
                    framework,
                    Event.newBuilder()
                            .setType(Event.Type.UPDATE_OPERATION_STATUS)
                            .setUpdateOperationStatus(
                                    Event.UpdateOperationStatus.newBuilder().setStatus(status))
                            .build());
        }
    }
}
