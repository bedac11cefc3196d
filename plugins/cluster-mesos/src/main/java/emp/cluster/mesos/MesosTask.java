package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.mesos.v1.Protos.TaskState;

/**
 * One task EMP launched for a replica: where it runs and what Mesos last said of it. The placement is kept in the
 * state store ({@link #encode()}), since Mesos' status updates carry only the task's id, state and agent: a server that
 * takes over learns from it where an adopted task serves. Mutable; guarded by the manager's lock.
 */
final class MesosTask {
    /** The states after which a task never runs again. */
    static final Set<TaskState> TERMINAL = EnumSet.of(
            TaskState.TASK_FINISHED,
            TaskState.TASK_FAILED,
            TaskState.TASK_KILLED,
            TaskState.TASK_ERROR,
            TaskState.TASK_LOST,
            TaskState.TASK_DROPPED,
            TaskState.TASK_GONE,
            TaskState.TASK_GONE_BY_OPERATOR,
            TaskState.TASK_UNKNOWN);

    private static final String FORMAT = "v1";

    final String id;
    final AppRef app;
    /** The fingerprint of the deployment the task runs (see {@link MesosApp#revision}). */
    final String revision;

    final String agentId;
    /** The agent's host name, where the task serves. */
    final String host;
    /** The agent's port the task serves on. */
    final int hostPort;

    final Instant launched;

    TaskState state = TaskState.TASK_STAGING;
    /** The agent's last health check result; null before the first. */
    Boolean healthy;

    Instant since;
    /** What Mesos last said of the task, in words, or null. */
    String message;
    /** Whether EMP asked for the task to be killed: its end is not a crash. */
    boolean killRequested;
    /** Whether the state is the one EMP assumed (launched or adopted), not yet confirmed by the master. */
    boolean unconfirmed = true;

    MesosTask(String id, AppRef app, String revision, String agentId, String host, int hostPort, Instant launched) {
        this.id = requireNonNull(id, "id is null");
        this.app = requireNonNull(app, "app is null");
        this.revision = requireNonNull(revision, "revision is null");
        this.agentId = requireNonNull(agentId, "agentId is null");
        this.host = requireNonNull(host, "host is null");
        this.hostPort = hostPort;
        this.launched = requireNonNull(launched, "launched is null");
        this.since = launched;
    }

    /** Whether the replica serves: running, and answering its health check (every EMP task has one). */
    boolean ready() {
        return state == TaskState.TASK_RUNNING && Boolean.TRUE.equals(healthy);
    }

    boolean terminal() {
        return TERMINAL.contains(state);
    }

    URI endpoint() {
        String literal = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create("http://" + literal + ":" + hostPort);
    }

    InstanceState instanceState() {
        if (killRequested || state == TaskState.TASK_KILLING) {
            return InstanceState.STOPPING;
        }
        if (ready()) {
            return InstanceState.READY;
        }
        return terminal() ? InstanceState.CRASHED : InstanceState.STARTING;
    }

    /**
     * @param currentRevision what the app's tasks must run now, or null when the app is gone: a task of another
     *                        revision is outdated
     */
    InstanceStatus status(String currentRevision) {
        String said = state.name()
                + (healthy == null ? "" : healthy ? ", healthy" : ", not healthy yet")
                + (message == null || message.isBlank() ? "" : ": " + message);
        return new InstanceStatus(
                id,
                instanceState(),
                endpoint(),
                OptionalLong.empty(),
                0,
                since,
                said,
                currentRevision != null && !currentRevision.equals(revision));
    }

    /** The task's placement as kept in the state store; {@link #decode} reads it back. */
    String encode() {
        return String.join(
                "\n",
                FORMAT,
                app.owner(),
                app.name(),
                revision,
                agentId,
                host,
                Integer.toString(hostPort),
                launched.toString());
    }

    /**
     * The task kept under {@code id}, its state unknown until the master reconciles it.
     *
     * @throws IllegalArgumentException when the text is not what {@link #encode} writes
     */
    static MesosTask decode(String id, String text) {
        String[] fields = text.split("\n", -1);
        if (fields.length != 8 || !fields[0].equals(FORMAT)) {
            throw new IllegalArgumentException("task '" + id + "' is kept in an unknown form");
        }
        try {
            return new MesosTask(
                    id,
                    new AppRef(fields[1], fields[2]),
                    fields[3],
                    fields[4],
                    fields[5],
                    Integer.parseInt(fields[6]),
                    Instant.parse(fields[7]));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("task '" + id + "' is kept in an unknown form: " + e.getMessage(), e);
        }
    }
}
