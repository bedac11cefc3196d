package emp.cluster.mesos;

import emp.spi.PluginConfig;
import emp.spi.PluginState;
import emp.spi.app.AppSpec;
import emp.spi.app.HealthProbe;
import emp.spi.app.Resources;
import emp.testsupport.HelloJar;
import emp.testsupport.mesos.StandInMaster;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tests' Mesos: a stand-in master with two agents, and managers configured to act fast against it (short back-offs,
 * health checks and refusals; a failover timeout short enough that a test's tasks die with its manager).
 */
final class MesosTestCluster {
    private MesosTestCluster() {}

    /** A master with two agents of 4 cpus, 4 GiB and 100 ports each, quick heartbeats and retries. */
    static StandInMaster master(Path dir) {
        return StandInMaster.builder(dir)
                .agent("agent-1", 4, 4096, 31000, 31099)
                .agent("agent-2", 4, 4096, 31100, 31199)
                .heartbeatInterval(Duration.ofSeconds(1))
                .statusRetryInterval(Duration.ofSeconds(1))
                .allocationInterval(Duration.ofMillis(200))
                .start();
    }

    /** The settings of a manager of {@code master}, with {@code extra} over them. */
    static PluginConfig config(StandInMaster master, Map<String, String> extra) {
        Map<String, String> values = new HashMap<>();
        values.put("master", master.uri().toString());
        values.put("gateway-port", "0");
        values.put("failover-timeout", "3s");
        values.put("offer-refusal", "1s");
        values.put("restart-backoff-initial", "200ms");
        values.put("restart-backoff-max", "2s");
        values.put("health-interval", "250ms");
        values.put("health-grace", "20s");
        values.put("kill-grace", "2s");
        values.put("default-memory", "64");
        values.putAll(extra);
        return new PluginConfig(MesosClusterConfig.SECTION, values);
    }

    static MesosClusterManager manager(StandInMaster master, PluginState state, Map<String, String> extra) {
        return new MesosClusterManager(
                MesosClusterConfig.from(config(master, extra)), Clock.systemUTC(), state, spans -> {});
    }

    /** The hello service, ready when {@code /health} answers. */
    static AppSpec hello(String name) {
        return new AppSpec(
                name,
                null,
                null,
                null,
                null,
                null,
                HelloJar.command(),
                null,
                null,
                null,
                null,
                new HealthProbe("/health"),
                null,
                null,
                null,
                null);
    }

    /** A command that starts and exits with status 3 soon after, again and again. */
    static AppSpec crashing(String name) {
        return AppSpec.ofCommand(name, List.of("sh", "-c", "echo crashing soon; sleep 0.2; exit 3"));
    }

    /** A spec that keeps data: {@code stateless: false}. */
    static AppSpec stateful(String name) {
        return withStateless(AppSpec.ofCommand(name, List.of("serve")), false);
    }

    /** {@code spec} with other {@code resources}. */
    static AppSpec withResources(AppSpec spec, Resources resources) {
        return copy(spec, spec.stateless(), resources);
    }

    private static AppSpec withStateless(AppSpec spec, Boolean stateless) {
        return copy(spec, stateless, spec.resources());
    }

    private static AppSpec copy(AppSpec spec, Boolean stateless, Resources resources) {
        return new AppSpec(
                spec.name(),
                spec.dockerImage(),
                stateless,
                spec.port(),
                spec.envs(),
                spec.qualityMetrics(),
                spec.command(),
                spec.replicas(),
                spec.minReplicas(),
                spec.maxReplicas(),
                resources,
                spec.health(),
                spec.dependencies(),
                spec.concurrency(),
                spec.queueTimeout(),
                spec.idleAfter());
    }
}
