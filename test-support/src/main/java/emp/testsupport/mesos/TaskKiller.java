package emp.testsupport.mesos;

import static emp.testsupport.mesos.FrameworkEntry.hasCapability;
import static emp.testsupport.mesos.HealthChecker.stopHealthChecks;
import static emp.testsupport.mesos.MesosMessages.isTerminal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;

/**
 * How an agent's executor kills a task: TASK_KILLING if the framework can take it, SIGTERM to the task's process tree,
 * then SIGKILL once the grace period of the kill policy (the kill's own, else the task's, else 3 s) is over.
 */
final class TaskKiller {
    static final Duration DEFAULT_KILL_GRACE_PERIOD = Duration.ofSeconds(3);

    private final MasterState master;
    private final StatusUpdateManager statusUpdates;

    TaskKiller(MasterState master, StatusUpdateManager statusUpdates) {
        this.master = master;
        this.statusUpdates = statusUpdates;
    }

    /** A kill from the scheduler, or from a shutdown: TASK_KILLING if the framework wants it, SIGTERM, then SIGKILL. */
    void killTask(TaskEntry task, KillPolicy override) {
        if (task.terminated || isTerminal(task.state) || task.agentGone || task.shutdown) {
            return;
        }
        if (task.process == null) {
            task.killRequested = true;
            task.killOverride = override;
            return;
        }
        killRunning(task, override);
    }

    void killRunning(TaskEntry task, KillPolicy override) {
        if (task.killed || task.terminated) {
            return;
        }
        task.killed = true;
        FrameworkEntry framework = master.frameworks.get(task.frameworkId);
        if (framework != null && hasCapability(framework.info, FrameworkInfo.Capability.Type.TASK_KILLING_STATE)) {
            statusUpdates.agentUpdate(task, TaskState.TASK_KILLING, TaskStatus.Source.SOURCE_EXECUTOR, null, null);
        }
        stopHealthChecks(task);
        Duration grace = DEFAULT_KILL_GRACE_PERIOD;
        if (override != null && override.hasGracePeriod()) {
            grace = Duration.ofNanos(override.getGracePeriod().getNanoseconds());
        } else if (task.info.hasKillPolicy() && task.info.getKillPolicy().hasGracePeriod()) {
            grace = Duration.ofNanos(task.info.getKillPolicy().getGracePeriod().getNanoseconds());
        }
        task.signalled = true;
        ProcessHandle process = task.process.toHandle();
        master.workers.execute(() -> ProcessTrees.signal(process, false));
        task.escalation = master.timer.schedule(
                () -> {
                    if (process.isAlive()) {
                        ProcessTrees.signal(process, true);
                    }
                },
                Math.max(0, grace.toNanos()),
                TimeUnit.NANOSECONDS);
    }
}
