package emp.testsupport.mesos;

import static emp.testsupport.mesos.MesosMessages.agentId;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mesos.v1.Protos.TimeInfo;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the stand-in master and its agents share: their settings and threads, and the state of frameworks, agents,
 * offers and tasks with the one lock that guards it. No I/O happens under the lock.
 */
final class MasterState {
    /** The master's parts log under its name, so that a test's logging setup has one logger to set. */
    private static final Logger log = LoggerFactory.getLogger(StandInMaster.class);

    final Path workDir;
    final Duration heartbeatInterval;
    final Duration statusRetryInterval;
    final String masterId = UUID.randomUUID().toString();

    /** Written by the streams' writer threads; guarded by itself. */
    final List<RecordedFrame> frames = new ArrayList<>();

    final ScheduledThreadPoolExecutor timer;
    final ExecutorService workers;
    final HttpClient probes;

    final Object lock = new Object();
    // Everything below is guarded by lock.
    final Map<String, FrameworkEntry> frameworks = new LinkedHashMap<>();
    final Set<String> removedFrameworks = new LinkedHashSet<>();
    final Map<String, AgentEntry> agents = new LinkedHashMap<>();
    final Map<String, TimeInfo> unreachableAgents = new LinkedHashMap<>();
    final Set<String> goneAgents = new LinkedHashSet<>();
    final Map<String, OfferEntry> offers = new LinkedHashMap<>();
    final Map<String, GroupExecutor> groupExecutors = new LinkedHashMap<>();
    final List<TaskEntry> tasks = new ArrayList<>();
    final List<Call> calls = new ArrayList<>();
    int subscriptions;
    int frameworkSequence;
    long offerSequence;
    String lastFrameworkId;
    boolean paused;
    /**
     * Whether the next ACCEPT finds its offers rescinded just before it arrives (see
     * {@link StandInMaster#rescindBeforeNextAccept}).
     */
    boolean rescindBeforeAccept;

    boolean closed;
    LoopbackHttpServer server;
    int port;

    MasterState(Path workDir, Duration heartbeatInterval, Duration statusRetryInterval) {
        this.workDir = workDir;
        this.heartbeatInterval = heartbeatInterval;
        this.statusRetryInterval = statusRetryInterval;
        AtomicInteger threads = new AtomicInteger();
        this.timer = new ScheduledThreadPoolExecutor(1, runnable -> daemon(runnable, "stand-in-mesos-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.workers = Executors.newCachedThreadPool(
                runnable -> daemon(runnable, "stand-in-mesos-agent-" + threads.incrementAndGet()));
        this.probes = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    Optional<TaskEntry> latestTask(String taskId) {
        for (int i = tasks.size() - 1; i >= 0; i--) {
            if (tasks.get(i).taskId.equals(taskId)) {
                return Optional.of(tasks.get(i));
            }
        }
        return Optional.empty();
    }

    /** The task as the master tracks it: launched by the framework, not yet acknowledged terminal, not unreachable. */
    Optional<TaskEntry> masterTask(FrameworkEntry framework, String taskId) {
        for (int i = tasks.size() - 1; i >= 0; i--) {
            TaskEntry task = tasks.get(i);
            if (task.frameworkId.equals(framework.id) && task.taskId.equals(taskId) && !task.removedFromMaster) {
                return Optional.of(task);
            }
        }
        return Optional.empty();
    }

    void releaseResources(TaskEntry task) {
        if (task.released) {
            return;
        }
        task.released = true;
        task.agent.used = task.agent.used.minus(task.resources);
        GroupExecutor group = task.group;
        if (group != null
                && group.tasks.stream().allMatch(member -> member.released)
                && groupExecutors.get(groupKey(group.agentId, group.frameworkId, group.executorId)) == group) {
            // The default executor exits once all its tasks are done; its resources come back.
            groupExecutors.remove(groupKey(group.agentId, group.frameworkId, group.executorId));
            task.agent.used = task.agent.used.minus(group.resources);
        }
    }

    static String groupKey(String agentId, String frameworkId, String executorId) {
        return agentId + "/" + frameworkId + "/" + executorId;
    }

    void locked(Runnable action, String what) {
        try {
            synchronized (lock) {
                if (!closed) {
                    action.run();
                }
            }
        } catch (RuntimeException e) {
            log.warn("stand-in Mesos master: {} failed", what, e);
        }
    }

    void send(FrameworkEntry framework, Event event) {
        if (framework.subscription != null) {
            framework.subscription.send(event);
        }
    }

    static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }
}
