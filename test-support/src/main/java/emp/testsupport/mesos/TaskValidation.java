package emp.testsupport.mesos;

import static emp.testsupport.mesos.MasterState.groupKey;
import static emp.testsupport.mesos.MasterValidation.validateId;
import static emp.testsupport.mesos.MesosMessages.error;
import static emp.testsupport.mesos.MesosMessages.ids;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskInfo;

/**
 * What the master does to the tasks of a LAUNCH or LAUNCH_GROUP before it launches them: it fills in what it fills in,
 * then checks them as {@code validation::task::validate} and {@code validation::task::group::validate} do, with their
 * messages.
 */
final class TaskValidation {
    private final MasterState master;

    TaskValidation(MasterState master) {
        this.master = master;
    }

    /** What the master fills in before validating: allocation roles, a health check's type, the executor's framework. */
    static TaskInfo normalize(TaskInfo task, String role, FrameworkEntry framework) {
        TaskInfo.Builder normalized = task.toBuilder();
        normalized.clearResources();
        for (Resource resource : task.getResourcesList()) {
            normalized.addResources(
                    resource.hasAllocationInfo()
                            ? resource
                            : resource.toBuilder()
                                    .setAllocationInfo(
                                            Resource.AllocationInfo.newBuilder().setRole(role))
                                    .build());
        }
        if (task.hasExecutor()) {
            ExecutorInfo executor = injectAllocation(task.getExecutor(), role);
            if (!executor.hasFrameworkId()) {
                executor = executor.toBuilder()
                        .setFrameworkId(framework.info.getId())
                        .build();
            }
            normalized.setExecutor(executor);
        }
        if (task.hasHealthCheck() && !task.getHealthCheck().hasType()) {
            HealthCheck check = task.getHealthCheck();
            if (check.hasCommand() && !check.hasHttp()) {
                normalized.setHealthCheck(check.toBuilder().setType(HealthCheck.Type.COMMAND));
            } else if (check.hasHttp() && !check.hasCommand()) {
                normalized.setHealthCheck(check.toBuilder().setType(HealthCheck.Type.HTTP));
            }
        }
        return normalized.build();
    }

    static ExecutorInfo injectAllocation(ExecutorInfo executor, String role) {
        ExecutorInfo.Builder normalized = executor.toBuilder().clearResources();
        for (Resource resource : executor.getResourcesList()) {
            normalized.addResources(
                    resource.hasAllocationInfo()
                            ? resource
                            : resource.toBuilder()
                                    .setAllocationInfo(
                                            Resource.AllocationInfo.newBuilder().setRole(role))
                                    .build());
        }
        return normalized.build();
    }

    /** The checks of {@code validation::task::validate}, in its order and words. */
    Optional<String> validateTask(FrameworkEntry framework, AgentEntry agent, TaskInfo task, ResourceSet available) {
        Optional<String> error = validateTaskFields(framework, agent, task);
        if (error.isPresent()) {
            return error;
        }
        if (task.hasExecutor() == task.hasCommand()) {
            return Optional.of("Task should have at least one (but not both) of CommandInfo or ExecutorInfo present");
        }
        ResourceSet total = ResourceSet.of(task.getResourcesList());
        if (task.hasExecutor()) {
            Optional<String> invalid = ResourceSet.validate(task.getExecutor().getResourcesList());
            if (invalid.isPresent()) {
                return Optional.of("Executor uses invalid resources: Invalid resources: " + invalid.get());
            }
            if (task.getExecutor().hasType() && task.getExecutor().getType() != ExecutorInfo.Type.CUSTOM) {
                return Optional.of("'ExecutorInfo.type' must be 'CUSTOM'");
            }
            if (!task.getExecutor().hasCommand()) {
                return Optional.of("'ExecutorInfo.command' must be set");
            }
            total = total.plus(ResourceSet.of(task.getExecutor().getResourcesList()));
        }
        if (!available.contains(total)) {
            return Optional.of("Total resources " + total + " required by task and its executor is more than"
                    + " available " + available);
        }
        return Optional.empty();
    }

    private Optional<String> validateTaskFields(FrameworkEntry framework, AgentEntry agent, TaskInfo task) {
        String taskId = task.getTaskId().getValue();
        Optional<String> error = validateId(taskId);
        if (error.isPresent()) {
            return error;
        }
        for (TaskEntry other : master.tasks) {
            if (other.frameworkId.equals(framework.id) && other.taskId.equals(taskId)) {
                if (!other.removedFromMaster) {
                    return Optional.of("Task has duplicate ID: " + taskId);
                }
                if (other.unreachable) {
                    return Optional.of("Task reuses the ID of an unreachable task: " + taskId);
                }
            }
        }
        if (!task.getAgentId().getValue().equals(agent.id)) {
            return Optional.of("Task uses invalid agent " + task.getAgentId().getValue() + " while agent " + agent.id
                    + " is expected");
        }
        if (task.hasKillPolicy()
                && task.getKillPolicy().hasGracePeriod()
                && task.getKillPolicy().getGracePeriod().getNanoseconds() < 0) {
            return Optional.of("Task's 'kill_policy.grace_period' must be non-negative");
        }
        if (task.hasMaxCompletionTime() && task.getMaxCompletionTime().getNanoseconds() < 0) {
            return Optional.of("Task's `max_completion_time` must be non-negative");
        }
        if (task.hasHealthCheck()) {
            Optional<String> invalid = validateHealthCheck(task.getHealthCheck());
            if (invalid.isPresent()) {
                return Optional.of("Task uses invalid health check: " + invalid.get());
            }
        }
        if (task.getResourcesCount() == 0) {
            return Optional.of("Task uses no resources");
        }
        Optional<String> invalid = ResourceSet.validate(task.getResourcesList());
        if (invalid.isPresent()) {
            return Optional.of("Task uses invalid resources: Invalid resources: " + invalid.get());
        }
        Set<String> allocationRoles = task.getResourcesList().stream()
                .map(resource -> resource.getAllocationInfo().getRole())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (allocationRoles.size() > 1) {
            List<String> both = List.copyOf(allocationRoles);
            return Optional.of("Invalid task resources: The resources have multiple allocation roles ('" + both.get(1)
                    + "' and '" + both.get(0) + "') but only one allocation role is allowed");
        }
        if (task.hasCommand()) {
            for (Environment.Variable variable :
                    task.getCommand().getEnvironment().getVariablesList()) {
                if (variable.getType() == Environment.Variable.Type.SECRET && !variable.hasSecret()) {
                    return Optional.of("Task's `CommandInfo` is invalid: Environment variable '" + variable.getName()
                            + "' of type 'SECRET' must have a secret set");
                }
                if (variable.getType() != Environment.Variable.Type.SECRET && !variable.hasValue()) {
                    return Optional.of("Task's `CommandInfo` is invalid: Environment variable '" + variable.getName()
                            + "' of type 'VALUE' must have a value set");
                }
            }
        }
        if (task.hasContainer()) {
            ContainerInfo container = task.getContainer();
            if (container.getType() == ContainerInfo.Type.DOCKER && !container.hasDocker()) {
                return Optional.of(
                        "Task's `ContainerInfo` is invalid: DockerInfo 'docker' is not set for DOCKER typed ContainerInfo");
            }
        }
        return Optional.empty();
    }

    /** The checks of {@code common::validation::validateHealthCheck}. */
    private static Optional<String> validateHealthCheck(HealthCheck check) {
        if (!check.hasType()) {
            return Optional.of("HealthCheck must specify 'type'");
        }
        switch (check.getType()) {
            case COMMAND -> {
                if (!check.hasCommand()) {
                    return Optional.of("Expecting 'command' to be set for COMMAND health check");
                }
                if (!check.getCommand().hasValue()) {
                    return Optional.of("Command health check must contain "
                            + (check.getCommand().getShell() ? "'shell command'" : "'executable path'"));
                }
            }
            case HTTP -> {
                if (!check.hasHttp()) {
                    return Optional.of("Expecting 'http' to be set for HTTP health check");
                }
                String scheme = check.getHttp().getScheme();
                if (check.getHttp().hasScheme() && !scheme.equals("http") && !scheme.equals("https")) {
                    return Optional.of("Unsupported HTTP health check scheme: '" + scheme + "'");
                }
                if (check.getHttp().hasPath() && !check.getHttp().getPath().startsWith("/")) {
                    return Optional.of(
                            "The path '" + check.getHttp().getPath() + "' of HTTP health check must start with '/'");
                }
            }
            case TCP -> {
                if (!check.hasTcp()) {
                    return Optional.of("Expecting 'tcp' to be set for TCP health check");
                }
            }
            default -> {
                return Optional.of("'" + check.getType() + "' is not a valid health check type");
            }
        }
        if (check.getDelaySeconds() < 0) {
            return Optional.of("Expecting 'delay_seconds' to be non-negative");
        }
        if (check.getIntervalSeconds() < 0) {
            return Optional.of("Expecting 'interval_seconds' to be non-negative");
        }
        if (check.getTimeoutSeconds() < 0) {
            return Optional.of("Expecting 'timeout_seconds' to be non-negative");
        }
        if (check.getGracePeriodSeconds() < 0) {
            return Optional.of("Expecting 'grace_period_seconds' to be non-negative");
        }
        return Optional.empty();
    }

    /** The checks of {@code validation::task::group::validate} that matter here. */
    Optional<String> validateGroup(
            FrameworkEntry framework,
            AgentEntry agent,
            ExecutorInfo executor,
            List<TaskInfo> group,
            ResourceSet available) {
        if (group.isEmpty()) {
            return Optional.of("No tasks found in the task group");
        }
        Set<String> ids = new HashSet<>();
        for (TaskInfo task : group) {
            if (!ids.add(task.getTaskId().getValue())) {
                return Optional.of("Duplicate task ID: " + task.getTaskId().getValue());
            }
            Optional<String> error = validateTaskFields(framework, agent, task);
            if (error.isPresent()) {
                return error;
            }
            if (!task.hasCommand()) {
                return Optional.of("Task '" + task.getTaskId().getValue()
                        + "' has no 'CommandInfo'; the default executor runs commands");
            }
            if (!task.getExecutor().equals(executor)) {
                return Optional.of(
                        "The `ExecutorInfo` of task '" + task.getTaskId().getValue() + "' is different from executor '"
                                + executor.getExecutorId().getValue() + "'");
            }
        }
        if (executor.getType() != ExecutorInfo.Type.DEFAULT) {
            return Optional.of("'ExecutorInfo.type' must be 'DEFAULT'");
        }
        if (executor.hasCommand()) {
            return Optional.of("'ExecutorInfo.command' must not be set for 'DEFAULT' executor");
        }
        // The master fills in the framework id only for LAUNCH, not for LAUNCH_GROUP.
        if (!executor.hasFrameworkId()) {
            return Optional.of("'ExecutorInfo.framework_id' must be set");
        }
        if (!executor.getFrameworkId().getValue().equals(framework.id)) {
            return Optional.of("ExecutorInfo has an invalid FrameworkID (Actual: "
                    + executor.getFrameworkId().getValue() + " vs Expected: " + framework.id + ")");
        }
        Optional<String> invalid = ResourceSet.validate(executor.getResourcesList());
        if (invalid.isPresent()) {
            return Optional.of("Executor uses invalid resources: Invalid resources: " + invalid.get());
        }
        ResourceSet total = ResourceSet.EMPTY;
        for (TaskInfo task : group) {
            total = total.plus(ResourceSet.of(task.getResourcesList()));
        }
        if (!master.groupExecutors.containsKey(
                groupKey(agent.id, framework.id, executor.getExecutorId().getValue()))) {
            total = total.plus(ResourceSet.of(executor.getResourcesList()));
        }
        if (!available.contains(total)) {
            return Optional.of("Total resources " + total + " required by task group and its executor are more than"
                    + " available " + available);
        }
        return Optional.empty();
    }
}
