package emp.bench.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentRunTest {
    @TempDir
    Path folder;

    @Test
    void aServerThatDoesNotStartForAPluginsSchedulerSaysWhichJarToPass() throws IOException {
        Policy queue = new Policy("queue", "queue", Policy.Controller.NONE, Optional.empty(), true);
        PluginJar mine = PluginJar.read(PluginJarTest.jar(folder.resolve("mine-1.0.jar"), "mine", "1.0"));

        assertThat(ExperimentRun.notStarted(
                        queue,
                        Optional.of("emp server: scheduler.use is 'queue' but no loaded plugin provides a scheduler of"
                                + " that name"),
                        List.of(mine),
                        Path.of("/tmp/emp-autoscale/spike-queue.server.log")))
                .isEqualTo("the server of policy 'queue' did not start (emp server: scheduler.use is 'queue' but no"
                        + " loaded plugin provides a scheduler of that name); 'queue' is no built-in policy but the"
                        + " name of a scheduler (--scheduler queue): pass the jar of the plugin that provides it with"
                        + " --plugin FILE.jar (passed: mine-1.0.jar (mine 1.0)); the server's output is in"
                        + " /tmp/emp-autoscale/spike-queue.server.log");
    }
}
