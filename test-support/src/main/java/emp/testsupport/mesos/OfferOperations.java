package emp.testsupport.mesos;

import static emp.testsupport.mesos.MasterState.groupKey;
import static emp.testsupport.mesos.MesosMessages.error;
import static emp.testsupport.mesos.MesosMessages.ids;
import static emp.testsupport.mesos.MesosMessages.masterStatus;
import static emp.testsupport.mesos.MesosMessages.update;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.OperationState;
import org.apache.mesos.v1.Protos.OperationStatus;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's handling of ACCEPT: it checks the offers, launches the tasks of LAUNCH and LAUNCH_GROUP operations,
 * drops the operations it does not support, and declines what the operations left.
 */
final class OfferOperations {
    /** The master's parts log under its name, so that a test's logging setup has one logger to set. */
    private static final Logger log = LoggerFactory.getLogger(StandInMaster.class);

    private final MasterState master;
    private final Allocator allocator;
    private final TaskValidation validation;
    private final TaskCalls taskCalls;

    OfferOperations(MasterState master, Allocator allocator, TaskValidation validation, TaskCalls taskCalls) {
        this.master = master;
        this.allocator = allocator;
        this.validation = validation;
        this.taskCalls = taskCalls;
    }

    /** The checks of {@code validation::offer::validate}, in its order and words. */
    private Optional<String> validateOffers(FrameworkEntry framework, List<OfferID> ids) {
        Set<String> seen = new HashSet<>();
        for (OfferID id : ids) {
            if (!seen.add(id.getValue())) {
                return Optional.of("Duplicate offer " + id.getValue() + " in offer list");
            }
        }
        for (OfferID id : ids) {
            if (!master.offers.containsKey(id.getValue())) {
                return Optional.of("Offer " + id.getValue() + " is no longer valid");
            }
        }
        for (OfferID id : ids) {
            OfferEntry offer = master.offers.get(id.getValue());
            if (offer.framework != framework) {
                return Optional.of("Offer " + id.getValue() + " has invalid framework " + offer.framework.id
                        + " while framework " + framework.id + " is expected");
            }
        }
        OfferEntry first = master.offers.get(ids.get(0).getValue());
        for (OfferID id : ids) {
            OfferEntry offer = master.offers.get(id.getValue());
            if (!offer.role.equals(first.role)) {
                return Optional.of("Aggregated offers must be allocated to the same role. Offer " + id.getValue()
                        + " uses role " + offer.role + " and offer " + first.id + " uses role " + first.role);
            }
            if (offer.agent != first.agent) {
                return Optional.of("Aggregated offers must belong to one single agent. Offer " + id.getValue()
                        + " uses agent " + offer.agent.id + " and agent " + first.agent.id);
            }
        }
        return Optional.empty();
    }

    void accept(FrameworkEntry framework, Call.Accept accept) {
        if (master.rescindBeforeAccept) {
            master.rescindBeforeAccept = false;
            for (OfferID id : accept.getOfferIdsList()) {
                OfferEntry offer = master.offers.get(id.getValue());
                if (offer != null) {
                    allocator.rescind(offer);
                }
            }
        }
        Optional<String> error = accept.getOfferIdsCount() == 0
                ? Optional.of("No offers specified")
                : validateOffers(framework, accept.getOfferIdsList());
        if (error.isPresent()) {
            for (OfferID id : accept.getOfferIdsList()) {
                OfferEntry offer = master.offers.get(id.getValue());
                if (offer != null && offer.framework == framework) {
                    allocator.discard(
                            offer, Filters.newBuilder().setRefuseSeconds(0).build());
                }
            }
            log.warn("ACCEPT call used invalid offers {}: {}", ids(accept.getOfferIdsList()), error.get());
            TaskState state = framework.partitionAware() ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
            for (Offer.Operation operation : accept.getOperationsList()) {
                List<TaskInfo> launched = switch (operation.getType()) {
                    case LAUNCH -> operation.getLaunch().getTaskInfosList();
                    case LAUNCH_GROUP ->
                        operation.getLaunchGroup().getTaskGroup().getTasksList();
                    default -> null;
                };
                if (launched == null) {
                    dropOperation(framework, operation, "Operation attempted with invalid offers: " + error.get());
                    continue;
                }
                for (TaskInfo task : launched) {
                    master.send(
                            framework,
                            update(masterStatus(
                                            task.getTaskId().getValue(),
                                            task.hasAgentId()
                                                    ? task.getAgentId().getValue()
                                                    : null,
                                            state,
                                            "Task launched with invalid offers: " + error.get(),
                                            TaskStatus.Reason.REASON_INVALID_OFFERS)
                                    .build()));
                }
            }
            return;
        }
        OfferEntry first = master.offers.get(accept.getOfferIds(0).getValue());
        AgentEntry agent = first.agent;
        String role = first.role;
        ResourceSet remaining = ResourceSet.EMPTY;
        for (OfferID id : accept.getOfferIdsList()) {
            remaining = remaining.plus(master.offers.remove(id.getValue()).resources);
        }
        for (Offer.Operation operation : accept.getOperationsList()) {
            switch (operation.getType()) {
                case LAUNCH -> {
                    if (operation.hasId()) {
                        for (TaskInfo task : operation.getLaunch().getTaskInfosList()) {
                            taskError(
                                    framework,
                                    task,
                                    "The `id` field cannot be set on LAUNCH operations",
                                    TaskStatus.Reason.REASON_TASK_INVALID);
                        }
                        continue;
                    }
                    for (TaskInfo original : operation.getLaunch().getTaskInfosList()) {
                        TaskInfo task = TaskValidation.normalize(original, role, framework);
                        Optional<String> invalid = validation.validateTask(framework, agent, task, remaining);
                        if (invalid.isPresent()) {
                            taskError(framework, task, invalid.get(), TaskStatus.Reason.REASON_TASK_INVALID);
                            continue;
                        }
                        remaining = remaining.minus(ResourceSet.of(task.getResourcesList()));
                        taskCalls.launch(framework, agent, task, null);
                    }
                }
                case LAUNCH_GROUP -> {
                    List<TaskInfo> group =
                            operation.getLaunchGroup().getTaskGroup().getTasksList();
                    if (operation.hasId()) {
                        group.forEach(task -> taskError(
                                framework,
                                task,
                                "The `id` field cannot be set on LAUNCH_GROUP operations",
                                TaskStatus.Reason.REASON_TASK_GROUP_INVALID));
                        continue;
                    }
                    ExecutorInfo executor = TaskValidation.injectAllocation(
                            operation.getLaunchGroup().getExecutor(), role);
                    List<TaskInfo> normalized = new ArrayList<>();
                    for (TaskInfo task : group) {
                        TaskInfo.Builder withExecutor = TaskValidation.normalize(task, role, framework).toBuilder();
                        if (!withExecutor.hasExecutor()) {
                            withExecutor.setExecutor(executor);
                        }
                        normalized.add(withExecutor.build());
                    }
                    Optional<String> invalid =
                            validation.validateGroup(framework, agent, executor, normalized, remaining);
                    if (invalid.isPresent()) {
                        normalized.forEach(task ->
                                taskError(framework, task, invalid.get(), TaskStatus.Reason.REASON_TASK_GROUP_INVALID));
                        continue;
                    }
                    String key = groupKey(
                            agent.id, framework.id, executor.getExecutorId().getValue());
                    GroupExecutor running = master.groupExecutors.get(key);
                    if (running == null) {
                        running = new GroupExecutor(
                                agent.id,
                                framework.id,
                                executor.getExecutorId().getValue(),
                                UUID.randomUUID().toString(),
                                ResourceSet.of(executor.getResourcesList()).unallocated());
                        master.groupExecutors.put(key, running);
                        agent.used = agent.used.plus(running.resources);
                        remaining = remaining.minus(ResourceSet.of(executor.getResourcesList()));
                        agent.latestRuns.put(framework.id + "/" + running.executorId, running.containerId);
                    }
                    for (TaskInfo task : normalized) {
                        remaining = remaining.minus(ResourceSet.of(task.getResourcesList()));
                        taskCalls.launch(framework, agent, task, running);
                    }
                }
                case UNKNOWN -> log.warn("ignoring unknown operation in ACCEPT of framework '{}'", framework.id);
                default ->
                    dropOperation(
                            framework,
                            operation,
                            operation.getType() + " is not supported by the stand-in master; the operation is dropped");
            }
        }
        // What the operations left is declined, under the ACCEPT's filters (5 s unless given).
        allocator.refuse(framework, agent, remaining.unallocated(), accept.getFilters());
    }

    private void dropOperation(FrameworkEntry framework, Offer.Operation operation, String message) {
        log.warn("dropping {} operation from framework '{}': {}", operation.getType(), framework.id, message);
        if (operation.hasId()) {
            master.send(
                    framework,
                    Event.newBuilder()
                            .setType(Event.Type.UPDATE_OPERATION_STATUS)
                            .setUpdateOperationStatus(Event.UpdateOperationStatus.newBuilder()
                                    .setStatus(OperationStatus.newBuilder()
                                            .setState(OperationState.OPERATION_ERROR)
                                            .setOperationId(operation.getId())
                                            .setMessage(message)))
                            .build());
        }
    }

    private void taskError(FrameworkEntry framework, TaskInfo task, String message, TaskStatus.Reason reason) {
        log.info("task '{}' of framework '{}' is invalid: {}", task.getTaskId().getValue(), framework.id, message);
        master.send(
                framework,
                update(masterStatus(
                                task.getTaskId().getValue(),
                                task.hasAgentId() ? task.getAgentId().getValue() : null,
                                TaskState.TASK_ERROR,
                                message,
                                reason)
                        .build()));
    }
}
