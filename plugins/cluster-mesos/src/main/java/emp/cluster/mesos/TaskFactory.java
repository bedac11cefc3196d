package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.app.Resources;
import emp.spi.cluster.AppDeployment;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.DurationInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.Label;
import org.apache.mesos.v1.Protos.Labels;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.Value;

/**
 * How one replica of an app becomes a Mesos task. A {@code docker_image} runs in the Docker containerizer, on a
 * bridge network with the spec's {@code port} mapped to a port of the agent taken from the offer; a {@code command}
 * runs in the Mesos containerizer on the agent's network, listening on that port ({@code $PORT}). Either way the task
 * gets the spec's cpus and memory (or the configured defaults), the platform's environment with {@code PORT} and
 * {@code <DEP>_URL}, an HTTP health check of the spec's health path, a kill grace, and labels naming its app.
 */
final class TaskFactory {
    /** The port a container listens on when its spec does not say, as on Kubernetes. */
    static final int DEFAULT_CONTAINER_PORT = 8080;

    static final String LABEL_OWNER = "emp.owner";
    static final String LABEL_APP = "emp.app";
    static final String LABEL_REVISION = "emp.revision";
    /** The variable that names the replica a process runs as, as on every cluster: here the task's id. */
    static final String INSTANCE = "EMP_INSTANCE";
    /** Every task id EMP makes starts so, which tells EMP's tasks from others a framework id might share. */
    static final String TASK_ID_PREFIX = "emp.";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final double MIB = 1024 * 1024;

    private final MesosClusterConfig config;

    TaskFactory(MesosClusterConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    /** The cpus a task of {@code spec} asks for. */
    double cpus(AppSpec spec) {
        Resources resources = spec.resources();
        if (resources == null || resources.cpu() == null) {
            return config.defaultCpus();
        }
        return Resources.millicores(resources.cpu()) / 1000.0;
    }

    /** The memory, in MiB, a task of {@code spec} asks for. */
    double memoryMb(AppSpec spec) {
        Resources resources = spec.resources();
        if (resources == null || resources.memory() == null) {
            return config.defaultMemoryMb();
        }
        return Math.ceil(Resources.bytes(resources.memory()) / MIB);
    }

    /**
     * The fingerprint of what a task of {@code deployment} runs: its spec and environment, not its replica count. A
     * deployment whose revision changed replaces its tasks.
     */
    String revision(AppDeployment deployment) {
        StringBuilder text = new StringBuilder()
                .append(deployment.spec().withReplicas(null))
                .append('\n')
                .append(new TreeMap<>(deployment.environment()))
                .append('\n')
                .append(new TreeMap<>(deployment.secrets()))
                .append('\n')
                .append(cpus(deployment.spec()))
                .append('/')
                .append(memoryMb(deployment.spec()))
                .append('/')
                .append(config.gatewayAdvertised())
                .append('/')
                .append(config.healthInterval())
                .append(config.healthGrace())
                .append(config.killGrace());
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A fresh task id for a replica of {@code app}: {@code emp.<owner>.<name>.<revision>.<random>}. */
    static String taskId(AppRef app, String revision) {
        byte[] random = new byte[3];
        RANDOM.nextBytes(random);
        return TASK_ID_PREFIX + app.owner() + "." + app.name() + "." + revision + "."
                + HexFormat.of().formatHex(random);
    }

    /**
     * The task of one replica.
     *
     * @param dependencyUrl where the owner's app of that name is called from a task
     */
    TaskInfo task(String taskId, MesosApp app, OfferSpace offer, int hostPort, Function<String, URI> dependencyUrl) {
        AppSpec spec = app.deployment.spec();
        boolean docker = spec.dockerImage() != null && !spec.dockerImage().isBlank();
        int servingPort = docker ? containerPort(spec) : hostPort;
        TaskInfo.Builder task = TaskInfo.newBuilder()
                .setName(app.ref.toString())
                .setTaskId(TaskID.newBuilder().setValue(taskId))
                .setAgentId(offer.offer.getAgentId())
                .addResources(scalar("cpus", cpus(spec), offer))
                .addResources(scalar("mem", memoryMb(spec), offer))
                .addResources(port(hostPort, offer))
                .setHealthCheck(healthCheck(spec, servingPort))
                .setKillPolicy(KillPolicy.newBuilder()
                        .setGracePeriod(nanos(config.killGrace().toNanos())))
                .setLabels(Labels.newBuilder()
                        .addLabels(label(LABEL_OWNER, app.ref.owner()))
                        .addLabels(label(LABEL_APP, app.ref.name()))
                        .addLabels(label(LABEL_REVISION, app.revision)));
        CommandInfo.Builder command = CommandInfo.newBuilder()
                .setShell(false)
                .setEnvironment(environment(app, taskId, servingPort, dependencyUrl));
        if (docker) {
            task.setContainer(ContainerInfo.newBuilder()
                    .setType(ContainerInfo.Type.DOCKER)
                    .setDocker(ContainerInfo.DockerInfo.newBuilder()
                            .setImage(spec.dockerImage().strip())
                            .setNetwork(ContainerInfo.DockerInfo.Network.BRIDGE)
                            .addPortMappings(ContainerInfo.DockerInfo.PortMapping.newBuilder()
                                    .setHostPort(hostPort)
                                    .setContainerPort(servingPort)
                                    .setProtocol("tcp"))));
            // The image's own entrypoint, given the spec's command (if any) as its arguments.
            if (spec.command() != null) {
                command.addAllArguments(AppSpec.expandPort(spec.command(), servingPort));
            }
        } else {
            List<String> argv = AppSpec.expandPort(spec.command(), servingPort);
            command.setValue(argv.get(0)).addAllArguments(argv);
        }
        return task.setCommand(command).build();
    }

    /**
     * The spec's {@code envs}, then the secrets, then the platform's variables, then {@code <DEP>_URL} of each dependency, then
     * {@code PORT} and {@value #INSTANCE}; a later one wins.
     */
    static Environment environment(MesosApp app, String taskId, int port, Function<String, URI> dependencyUrl) {
        Map<String, String> values = new LinkedHashMap<>();
        values.putAll(app.deployment.variables());
        for (String dependency : app.deployment.spec().dependencies()) {
            values.put(
                    AppSpec.dependencyVariable(dependency),
                    dependencyUrl.apply(dependency).toString());
        }
        values.remove("PORT");
        values.put("PORT", Integer.toString(port));
        values.remove(INSTANCE);
        values.put(INSTANCE, taskId);
        Environment.Builder environment = Environment.newBuilder();
        values.forEach((name, value) -> environment.addVariables(Environment.Variable.newBuilder()
                .setName(name)
                .setType(Environment.Variable.Type.VALUE)
                .setValue(value)));
        return environment.build();
    }

    static int containerPort(AppSpec spec) {
        return spec.port() == null ? DEFAULT_CONTAINER_PORT : spec.port();
    }

    private HealthCheck healthCheck(AppSpec spec, int port) {
        double interval = config.healthInterval().toMillis() / 1000.0;
        return HealthCheck.newBuilder()
                .setType(HealthCheck.Type.HTTP)
                .setHttp(HealthCheck.HTTPCheckInfo.newBuilder()
                        .setScheme("http")
                        .setPort(port)
                        .setPath(spec.effectiveHealthPath()))
                .setDelaySeconds(0)
                .setIntervalSeconds(interval)
                .setTimeoutSeconds(Math.max(1, interval))
                .setConsecutiveFailures(3)
                .setGracePeriodSeconds(config.healthGrace().toMillis() / 1000.0)
                .build();
    }

    private static Resource scalar(String name, double value, OfferSpace offer) {
        return resource(name, offer)
                .setType(Value.Type.SCALAR)
                .setScalar(Value.Scalar.newBuilder().setValue(value))
                .build();
    }

    private static Resource port(int port, OfferSpace offer) {
        return resource("ports", offer)
                .setType(Value.Type.RANGES)
                .setRanges(Value.Ranges.newBuilder()
                        .addRange(Value.Range.newBuilder().setBegin(port).setEnd(port)))
                .build();
    }

    private static Resource.Builder resource(String name, OfferSpace offer) {
        Resource.Builder resource = Resource.newBuilder().setName(name);
        if (offer.allocationRole != null) {
            resource.setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole(offer.allocationRole));
        }
        return resource;
    }

    private static Label label(String key, String value) {
        return Label.newBuilder().setKey(key).setValue(value).build();
    }

    private static DurationInfo nanos(long nanos) {
        return DurationInfo.newBuilder().setNanoseconds(nanos).build();
    }
}
