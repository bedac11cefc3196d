package emp.cluster.sim;

import emp.spi.PluginConfig;
import emp.spi.app.AppSpec;
import emp.spi.app.EnvVar;
import emp.spi.app.Resources;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The tests' simulated clusters: quick starts, stops and back-offs, so that a test waits little. */
final class SimTestCluster {
    private SimTestCluster() {}

    /** Quick settings, with {@code extra} over them. */
    static SimClusterConfig config(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>();
        values.put("nodes", "8");
        values.put("start-latency", "40ms");
        values.put("start-jitter", "20ms");
        values.put("stop-latency", "20ms");
        values.put("restart-backoff-initial", "50ms");
        values.put("restart-backoff-max", "400ms");
        values.putAll(extra);
        return SimClusterConfig.from(new PluginConfig(SimClusterConfig.SECTION, values));
    }

    static SimClusterManager manager(Map<String, String> extra) {
        return new SimClusterManager(config(extra), Clock.systemUTC());
    }

    /** A spec as a user would write it; the simulation ignores its command. */
    static AppSpec app(String name) {
        return AppSpec.ofCommand(name, List.of("java", "-jar", "app.jar"));
    }

    /** A spec whose replicas crash at every start. */
    static AppSpec crashing(String name) {
        return app(name).withEnvs(List.of(new EnvVar(SimSpec.CRASH_VARIABLE, "1")));
    }

    /** {@code spec} with other {@code resources}. */
    static AppSpec withResources(AppSpec spec, Resources resources) {
        return new AppSpec(
                spec.name(),
                spec.dockerImage(),
                spec.stateless(),
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
                spec.idleAfter(),
                spec.rollout());
    }
}
