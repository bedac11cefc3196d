package emp.cluster.mesos;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.PluginConfig;
import emp.spi.app.AppSpec;
import emp.spi.app.EnvVar;
import emp.spi.app.HealthProbe;
import emp.spi.app.Resources;
import emp.spi.cluster.AppDeployment;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.Value;
import org.junit.jupiter.api.Test;

class TaskFactoryTest {
    private static final AppRef WEB = new AppRef("alice", "web");
    private final TaskFactory factory = new TaskFactory(MesosClusterConfig.from(
            new PluginConfig("cluster.mesos", Map.of("gateway-url", "http://emp.example.test:8080"))));

    @Test
    void aCommandTaskListensOnTheOfferedPort() {
        AppSpec spec = spec(null, List.of("java", "-jar", "web.jar", "--port=$PORT"));
        MesosApp app = app(spec, Map.of("EMP_SERVICE_NAME", "alice/web", "PORT", "1"));

        TaskInfo task =
                factory.task("emp.alice.web.r.1", app, space(), 31000, name -> URI.create("http://gw/alice/" + name));

        assertThat(task.getName()).isEqualTo("alice/web");
        assertThat(task.getAgentId().getValue()).isEqualTo("agent-1");
        assertThat(task.hasContainer()).as("the Mesos containerizer's default").isFalse();
        assertThat(task.getCommand().getShell()).isFalse();
        assertThat(task.getCommand().getValue()).isEqualTo("java");
        assertThat(task.getCommand().getArgumentsList()).containsExactly("java", "-jar", "web.jar", "--port=31000");
        Map<String, String> env = environment(task);
        assertThat(env)
                .containsEntry("PORT", "31000")
                .containsEntry("EMP_SERVICE_NAME", "alice/web")
                .containsEntry("GREETING", "hi")
                .containsEntry("SONG_DB_URL", "http://gw/alice/song-db")
                .containsEntry("EMP_INSTANCE", "emp.alice.web.r.1");
        assertThat(scalar(task, "cpus")).isEqualTo(0.5);
        assertThat(scalar(task, "mem")).isEqualTo(256);
        assertThat(ports(task)).containsExactly(31000L);
        assertThat(task.getResourcesList())
                .allSatisfy(resource ->
                        assertThat(resource.getAllocationInfo().getRole()).isEqualTo("emp"));
        HealthCheck health = task.getHealthCheck();
        assertThat(health.getType()).isEqualTo(HealthCheck.Type.HTTP);
        assertThat(health.getHttp().getPort()).isEqualTo(31000);
        assertThat(health.getHttp().getPath()).isEqualTo("/ready");
        assertThat(task.getLabels().getLabelsList())
                .extracting(label -> label.getKey() + "=" + label.getValue())
                .contains("emp.owner=alice", "emp.app=web");
    }

    @Test
    void anImageRunsInDockerWithItsPortMappedToTheOfferedOne() {
        AppSpec spec = spec("emp/web:2", null);
        MesosApp app = app(spec, Map.of());

        TaskInfo task = factory.task("t", app, space(), 31007, name -> URI.create("http://gw/" + name));

        ContainerInfo container = task.getContainer();
        assertThat(container.getType()).isEqualTo(ContainerInfo.Type.DOCKER);
        assertThat(container.getDocker().getImage()).isEqualTo("emp/web:2");
        assertThat(container.getDocker().getNetwork()).isEqualTo(ContainerInfo.DockerInfo.Network.BRIDGE);
        assertThat(container.getDocker().getPortMappingsList()).singleElement().satisfies(mapping -> {
            assertThat(mapping.getHostPort()).isEqualTo(31007);
            assertThat(mapping.getContainerPort()).isEqualTo(9000);
        });
        assertThat(environment(task)).containsEntry("PORT", "9000");
        assertThat(task.getHealthCheck().getHttp().getPort()).isEqualTo(9000);
        assertThat(task.getCommand().hasValue())
                .as("the image's own entrypoint")
                .isFalse();
    }

    @Test
    void theRevisionFollowsTheSpecAndEnvironmentNotTheReplicas() {
        AppSpec spec = spec(null, List.of("serve"));
        String one = factory.revision(new AppDeployment(WEB, spec, 1, Map.of("A", "1")));

        assertThat(factory.revision(new AppDeployment(WEB, spec.withReplicas(5), 5, Map.of("A", "1"))))
                .isEqualTo(one);
        assertThat(factory.revision(new AppDeployment(WEB, spec, 1, Map.of("A", "2"))))
                .isNotEqualTo(one);
        assertThat(factory.revision(new AppDeployment(WEB, spec.withEnvs(List.of()), 1, Map.of("A", "1"))))
                .isNotEqualTo(one);
    }

    @Test
    void defaultsApplyWhenTheSpecNamesNoResources() {
        AppSpec bare = AppSpec.ofCommand("web", List.of("serve"));

        assertThat(factory.cpus(bare)).isEqualTo(0.1);
        assertThat(factory.memoryMb(bare)).isEqualTo(128);
        assertThat(TaskFactory.taskId(WEB, "0a1b2c3d")).matches("emp\\.alice\\.web\\.0a1b2c3d\\.[0-9a-f]{6}");
    }

    private static AppSpec spec(String image, List<String> command) {
        return new AppSpec(
                "web",
                image,
                null,
                9000,
                List.of(new EnvVar("GREETING", "hi"), new EnvVar("PORT", "80")),
                null,
                command,
                null,
                null,
                null,
                new Resources("500m", "256Mi"),
                new HealthProbe("/ready"),
                List.of("song-db"),
                null,
                null,
                null);
    }

    private MesosApp app(AppSpec spec, Map<String, String> environment) {
        AppDeployment deployment = new AppDeployment(WEB, spec, 1, environment);
        return new MesosApp(WEB, deployment, factory.revision(deployment));
    }

    private static OfferSpace space() {
        Resource.AllocationInfo role =
                Resource.AllocationInfo.newBuilder().setRole("emp").build();
        return new OfferSpace(Offer.newBuilder()
                .setId(org.apache.mesos.v1.Protos.OfferID.newBuilder().setValue("o1"))
                .setFrameworkId(
                        org.apache.mesos.v1.Protos.FrameworkID.newBuilder().setValue("f1"))
                .setAgentId(org.apache.mesos.v1.Protos.AgentID.newBuilder().setValue("agent-1"))
                .setHostname("10.0.0.1")
                .addResources(Resource.newBuilder()
                        .setName("cpus")
                        .setType(Value.Type.SCALAR)
                        .setScalar(Value.Scalar.newBuilder().setValue(4))
                        .setAllocationInfo(role))
                .build());
    }

    private static Map<String, String> environment(TaskInfo task) {
        Map<String, String> env = new HashMap<>();
        task.getCommand().getEnvironment().getVariablesList().forEach(v -> env.put(v.getName(), v.getValue()));
        return env;
    }

    private static double scalar(TaskInfo task, String name) {
        return task.getResourcesList().stream()
                .filter(resource -> resource.getName().equals(name))
                .mapToDouble(resource -> resource.getScalar().getValue())
                .sum();
    }

    private static List<Long> ports(TaskInfo task) {
        return task.getResourcesList().stream()
                .filter(resource -> resource.getName().equals("ports"))
                .flatMap(resource -> resource.getRanges().getRangeList().stream())
                .flatMap(range -> java.util.stream.LongStream.rangeClosed(range.getBegin(), range.getEnd())
                        .boxed())
                .toList();
    }
}
