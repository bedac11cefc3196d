package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.spi.cluster.ClusterEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Mesos' status updates mean to EMP's framework: each is recorded in the {@link FrameworkBook} (a task starting,
 * ready, no longer ready, or ended), and a task's end is told apart: one EMP asked to end stopped, one whose launch the
 * master refused is launched again at once, and any other failed, its replacement waiting a back-off. The events of
 * each (READY, CRASHED, STOPPED) are emitted as they are recorded. Makes no call to the master: what an update asks of
 * it is returned to the decider, which sends it.
 */
final class TaskUpdates {
    /** Failed tasks whose sandboxes {@code emp logs} still reads, per app. */
    static final int ENDED_KEPT = 5;

    private static final Logger log = LoggerFactory.getLogger(TaskUpdates.class);

    private final MesosClusterConfig config;
    private final Clock clock;
    private final FrameworkBook book;
    private final FrameworkMemory memory;
    private final FrameworkEvents events;

    TaskUpdates(
            MesosClusterConfig config,
            Clock clock,
            FrameworkBook book,
            FrameworkMemory memory,
            FrameworkEvents events) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.book = requireNonNull(book, "book is null");
        this.memory = requireNonNull(memory, "memory is null");
        this.events = requireNonNull(events, "events is null");
    }

    /**
     * Records a status update, under the lock.
     *
     * @return the kill of a task of EMP's that no server kept, for the caller to send once the lock is let go
     */
    Optional<Call> record(TaskStatus status) {
        String id = status.getTaskId().getValue();
        TaskState newState = status.getState();
        boolean terminal = MesosTask.TERMINAL.contains(newState);
        Call kill = null;
        synchronized (book.lock) {
            MesosTask task = book.tasks.get(id);
            if (task == null) {
                if (!terminal && id.startsWith(TaskFactory.TASK_ID_PREFIX) && status.hasAgentId()) {
                    // One of EMP's that no server kept: a launch whose record was lost. Nothing wants it.
                    log.warn("killing task '{}', which EMP does not know", id);
                    kill = Calls.kill(book.frameworkId, id, status.getAgentId().getValue());
                }
            } else {
                task.unconfirmed = false;
                boolean wasReady = task.ready();
                if (status.hasHealthy()) {
                    task.healthy = status.getHealthy();
                }
                if (task.state != newState) {
                    task.since = clock.instant();
                }
                task.state = newState;
                MesosApp app = book.apps.get(task.app);
                task.message = describe(status) + hint(status, app);
                if (terminal) {
                    ended(task, newState, task.message, invalidLaunch(status));
                } else if (task.ready() && !wasReady) {
                    if (app != null) {
                        app.failures = 0;
                        book.updateRoute(app);
                    }
                    events.emit(
                            task.app,
                            id,
                            ClusterEvent.Type.READY,
                            "replica " + id + " is ready at " + task.endpoint() + " on agent " + task.host);
                } else if (wasReady && !task.ready() && app != null) {
                    book.updateRoute(app);
                }
            }
        }
        return Optional.ofNullable(kill);
    }

    /**
     * Forgets a task that ended. One EMP did not ask to end failed: the app's replacement waits a back-off that
     * doubles with each failure, and the crash is reported. A launch the master refused for its offer (rescinded or
     * used) is no failure of the app: it is launched again at once. Called with the lock held.
     */
    void ended(MesosTask task, TaskState endState, String message, boolean invalidLaunch) {
        book.tasks.remove(task.id);
        memory.forgetTask(task.id);
        MesosApp app = book.apps.get(task.app);
        if (app != null) {
            book.updateRoute(app);
        }
        if (task.killRequested) {
            events.emit(
                    task.app, task.id, ClusterEvent.Type.STOPPED, "replica " + task.id + " stopped (" + endState + ")");
            return;
        }
        if (app == null || !task.revision.equals(app.revision)) {
            return;
        }
        if (invalidLaunch) {
            log.info("task '{}' was not launched ({}); launching another", task.id, message);
            return;
        }
        app.failures++;
        Duration backoff = backoff(app.failures);
        app.nextLaunch = clock.instant().plus(backoff);
        task.state = endState;
        task.since = clock.instant();
        app.crashed.addLast(task);
        while (app.crashed.size() > ENDED_KEPT) {
            app.crashed.pollFirst();
        }
        events.emit(
                task.app,
                task.id,
                ClusterEvent.Type.CRASHED,
                "replica " + task.id + " on agent " + task.host + " ended: " + message + "; replacing it in "
                        + human(backoff));
    }

    private Duration backoff(int failures) {
        Duration delay = config.restartBackoffInitial();
        for (int i = 1; i < failures && delay.compareTo(config.restartBackoffMax()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(config.restartBackoffMax()) > 0 ? config.restartBackoffMax() : delay;
    }

    private static boolean invalidLaunch(TaskStatus status) {
        return status.getReason() == TaskStatus.Reason.REASON_INVALID_OFFERS
                || status.getState() == TaskState.TASK_DROPPED
                || status.getReason() == TaskStatus.Reason.REASON_RECONCILIATION
                        && status.getState() != TaskState.TASK_FAILED;
    }

    /** What a person may do about a status, when EMP knows: an image on agents that cannot run images. */
    private static String hint(TaskStatus status, MesosApp app) {
        if (status.getReason() == TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED
                && app != null
                && app.deployment.spec().dockerImage() != null) {
            return " (a docker_image needs agents that run the Docker containerizer: --containerizers=docker,mesos)";
        }
        return "";
    }

    /** {@code TASK_FAILED (REASON_COMMAND_EXECUTOR_FAILED): Command exited with status 1}. */
    static String describe(TaskStatus status) {
        StringBuilder text = new StringBuilder(status.getState().name());
        if (status.hasReason()) {
            text.append(" (").append(status.getReason().name()).append(')');
        }
        if (status.hasMessage() && !status.getMessage().isBlank()) {
            text.append(": ").append(status.getMessage().strip());
        }
        return text.toString();
    }

    static String human(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        return millis % 1000 == 0
                ? millis / 1000 + "s"
                : String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}
