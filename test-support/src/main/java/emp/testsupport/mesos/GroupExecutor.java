package emp.testsupport.mesos;

import static emp.testsupport.mesos.MesosMessages.agentId;

import java.util.ArrayList;
import java.util.List;

/**
 * A default executor running a task group (LAUNCH_GROUP) on an agent: one container whose resources come back once all
 * its tasks are done. Guarded by the master's lock.
 */
final class GroupExecutor {
    final String agentId;
    final String frameworkId;
    final String executorId;
    final String containerId;
    final ResourceSet resources;
    final List<TaskEntry> tasks = new ArrayList<>();

    GroupExecutor(String agentId, String frameworkId, String executorId, String containerId, ResourceSet resources) {
        this.agentId = agentId;
        this.frameworkId = frameworkId;
        this.executorId = executorId;
        this.containerId = containerId;
        this.resources = resources;
    }
}
