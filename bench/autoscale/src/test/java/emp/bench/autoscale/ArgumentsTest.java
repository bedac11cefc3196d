package emp.bench.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ArgumentsTest {
    @Test
    void withoutArgumentsEveryBuiltInPolicyRunsAndNoPlugin() {
        Arguments arguments = Arguments.parse();

        assertThat(arguments.policies())
                .containsExactly(Policy.NONE, Policy.THRESHOLD, Policy.HPA, Policy.KPA, Policy.TRACEGRAPH);
        assertThat(arguments.plugins()).isEmpty();
        assertThat(arguments.scenarios()).isEmpty();
        assertThat(arguments.quick()).isFalse();
    }

    @Test
    void aPolicyThatIsNotBuiltInIsTheSchedulerOfAPluginJar() {
        Arguments arguments = Arguments.parse(
                "--quick",
                "--plugin",
                "examples/scheduler-plugin/target/queue-scheduler-1.0.0.jar",
                "--policies",
                "none,threshold,queue");

        assertThat(arguments.plugins())
                .containsExactly(Path.of("examples/scheduler-plugin/target/queue-scheduler-1.0.0.jar")
                        .toAbsolutePath()
                        .normalize());
        assertThat(arguments.policies()).containsExactly(Policy.NONE, Policy.THRESHOLD, pluginPolicy("queue"));
        Policy queue = arguments.policies().get(2);
        assertThat(queue.serverScheduler()).isEqualTo("queue");
        assertThat(queue.controller()).isEqualTo(Policy.Controller.NONE);
        assertThat(queue.distributionJar()).isEmpty();
    }

    @Test
    void pluginsAreRepeatableAndMayFollowThePolicies() {
        Arguments arguments = Arguments.parse(
                "--policies",
                "queue, kpa,mine",
                "--plugin",
                "/tmp/a.jar",
                "--scenarios",
                "spike",
                "--plugin",
                "/tmp/b.jar");

        assertThat(arguments.plugins()).containsExactly(Path.of("/tmp/a.jar"), Path.of("/tmp/b.jar"));
        assertThat(arguments.policies()).containsExactly(pluginPolicy("queue"), Policy.KPA, pluginPolicy("mine"));
        assertThat(arguments.scenarios()).contains(List.of("spike"));
        assertThat(Arguments.parse("--plugin", "/tmp/a.jar", "--policy", "queue")
                        .policies())
                .as("--policy is --policies for one")
                .containsExactly(pluginPolicy("queue"));
    }

    @Test
    void anUnknownPolicyWithoutAPluginIsRefusedNamingPlugin() {
        assertThatThrownBy(() -> Arguments.parse("--policies", "none,queue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown policy 'queue'; expected one of none, threshold, hpa, kpa, tracegraph, or the"
                        + " name of a scheduler in a plugin jar passed with --plugin FILE.jar");
    }

    @Test
    void aPolicyNameThatCannotBeASchedulersIsRefused() {
        assertThatThrownBy(() -> Arguments.parse("--plugin", "a.jar", "--policies", "none,../queue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("policy '../queue' is no built-in policy");
        assertThatThrownBy(() -> Arguments.parse("--plugin", "a.jar", "--policies", "none,,queue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("policy '' is no built-in policy");
    }

    @Test
    void aFlagWithoutItsValueOrAnUnknownOneIsRefused() {
        assertThatThrownBy(() -> Arguments.parse("--policies", "none", "--plugin"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--plugin needs a value");
        assertThatThrownBy(() -> Arguments.parse("--plugins", "a.jar"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown argument '--plugins'; expected")
                .hasMessageContaining("--plugin FILE.jar");
        assertThatThrownBy(() -> Arguments.parse("--warmup", "ten"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--warmup is 'ten'; expected a whole number of seconds");
    }

    @Test
    void theOtherFlagsAsBefore() {
        Arguments arguments = Arguments.parse(
                "--repo",
                "/tmp/repo",
                "--report-only",
                "--summary",
                "out.md",
                "--command",
                "run.sh --quick",
                "--warmup",
                "10",
                "--length",
                "100",
                "--kpa-target",
                "2.5");

        assertThat(arguments.repo()).isEqualTo(Path.of("/tmp/repo"));
        assertThat(arguments.reportOnly()).isTrue();
        assertThat(arguments.summary()).isEqualTo(Optional.of(Path.of("out.md")));
        assertThat(arguments.command()).isEqualTo("run.sh --quick");
        assertThat(arguments.warmup()).hasValue(10);
        assertThat(arguments.length()).hasValue(100);
        assertThat(arguments.kpaTarget()).isEqualTo(2.5);
    }

    private static Policy pluginPolicy(String name) {
        return new Policy(name, name, Policy.Controller.NONE, Optional.empty(), true);
    }
}
