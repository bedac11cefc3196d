package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.spi.PlatformException;
import emp.spi.PluginState;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What EMP's framework keeps in the platform's state store, for the server that subscribes next (this one restarted,
 * or another that leads now): the framework's id, so that it fails over to the running framework; each task's
 * placement, since Mesos' status updates name only a task and its agent; each agent's address, for its files. A write
 * that fails is logged and left: the framework goes on, and reconciliation repairs what a successor would miss.
 */
final class FrameworkMemory {
    static final String FRAMEWORK_ID_KEY = "framework-id";
    static final String TASK_KEY_PREFIX = "task/";
    static final String AGENT_KEY_PREFIX = "agent/";

    private static final Logger log = LoggerFactory.getLogger(FrameworkMemory.class);

    /** What was kept: the framework's id if any, the tasks by id (their state unknown), the agents' URLs by id. */
    record Recalled(Optional<FrameworkID> frameworkId, Map<String, MesosTask> tasks, Map<String, URI> agents) {}

    private final PluginState state;

    FrameworkMemory(PluginState state) {
        this.state = requireNonNull(state, "state is null");
    }

    /**
     * Reads everything kept; a task kept in a form this version cannot read is left out (logged), for reconciliation
     * to report and EMP to kill.
     *
     * @throws PlatformException of category UNAVAILABLE when the store cannot be read
     */
    Recalled recall() {
        Optional<FrameworkID> id = state.get(FRAMEWORK_ID_KEY)
                .map(value -> FrameworkID.newBuilder().setValue(value).build());
        Map<String, MesosTask> tasks = new LinkedHashMap<>();
        Map<String, URI> agents = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : state.all().entrySet()) {
            String key = entry.getKey();
            if (key.startsWith(TASK_KEY_PREFIX)) {
                String taskId = key.substring(TASK_KEY_PREFIX.length());
                try {
                    tasks.put(taskId, MesosTask.decode(taskId, entry.getValue()));
                } catch (IllegalArgumentException e) {
                    log.warn("{}; it is left to reconciliation", e.getMessage());
                }
            } else if (key.startsWith(AGENT_KEY_PREFIX)) {
                agents.put(key.substring(AGENT_KEY_PREFIX.length()), URI.create(entry.getValue()));
            }
        }
        return new Recalled(id, tasks, agents);
    }

    void frameworkId(FrameworkID id) {
        write(() -> state.put(FRAMEWORK_ID_KEY, id.getValue()));
    }

    void forgetFrameworkId() {
        write(() -> state.remove(FRAMEWORK_ID_KEY));
    }

    void task(MesosTask task) {
        write(() -> state.put(TASK_KEY_PREFIX + task.id, task.encode()));
    }

    void forgetTask(String taskId) {
        write(() -> state.remove(TASK_KEY_PREFIX + taskId));
    }

    void agent(String agentId, URI url) {
        write(() -> state.put(AGENT_KEY_PREFIX + agentId, url.toString()));
    }

    private static void write(Runnable write) {
        try {
            write.run();
        } catch (PlatformException e) {
            log.warn("cannot keep the Mesos framework's state in the store: {}", e.getMessage());
        }
    }
}
