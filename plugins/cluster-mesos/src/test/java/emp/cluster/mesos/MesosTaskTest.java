package emp.cluster.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.AppRef;
import emp.spi.cluster.InstanceState;
import java.net.URI;
import java.time.Instant;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.Test;

class MesosTaskTest {
    private static final Instant LAUNCHED = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void thePlacementKeptIsReadBack() {
        MesosTask task = new MesosTask(
                "emp.alice.web.0a1b2c3d.ff00aa",
                new AppRef("alice", "web"),
                "0a1b2c3d",
                "agent-7",
                "10.0.0.7",
                31005,
                LAUNCHED);

        MesosTask read = MesosTask.decode(task.id, task.encode());

        assertThat(read.app).isEqualTo(task.app);
        assertThat(read.revision).isEqualTo("0a1b2c3d");
        assertThat(read.agentId).isEqualTo("agent-7");
        assertThat(read.endpoint()).isEqualTo(URI.create("http://10.0.0.7:31005"));
        assertThat(read.launched).isEqualTo(LAUNCHED);
        assertThat(read.unconfirmed).as("its state is the master's to say").isTrue();
    }

    @Test
    void anUnknownFormIsRefusedNamingTheTask() {
        assertThatThrownBy(() -> MesosTask.decode("t1", "v9\nx")).hasMessageContaining("'t1'");
        assertThatThrownBy(() -> MesosTask.decode("t2", "v1\na\nb\nr\nagent\nhost\nnot-a-port\n" + LAUNCHED))
                .hasMessageContaining("'t2'");
    }

    @Test
    void readyOnlyWhenRunningAndHealthy() {
        MesosTask task = new MesosTask("t", new AppRef("a", "b"), "r", "agent", "::1", 31000, LAUNCHED);
        assertThat(task.instanceState()).isEqualTo(InstanceState.STARTING);
        assertThat(task.endpoint()).isEqualTo(URI.create("http://[::1]:31000"));

        task.state = TaskState.TASK_RUNNING;
        assertThat(task.instanceState()).isEqualTo(InstanceState.STARTING);
        task.healthy = true;
        assertThat(task.instanceState()).isEqualTo(InstanceState.READY);
        assertThat(task.status(null).message()).contains("TASK_RUNNING");

        task.killRequested = true;
        assertThat(task.instanceState()).isEqualTo(InstanceState.STOPPING);
    }
}
