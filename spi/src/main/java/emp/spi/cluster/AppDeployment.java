package emp.spi.cluster;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import java.util.Map;

/**
 * One app as the cluster must run it.
 *
 * @param app         the app
 * @param spec        its validated spec
 * @param replicas     how many replicas to run now (0 for a stopped app)
 * @param environment  variables the platform injects into every replica on top of the spec's {@code envs}
 *                     ({@code EMP_SERVICE_NAME}, {@code ZIPKIN_ENDPOINT}, {@code KAFKA_ADDRESS}...); the cluster
 *                     adds what only it knows: {@code PORT} and the {@code <DEP>_URL} of each dependency
 * @param wakesOnDemand whether the app runs and may be scaled to zero replicas ({@code min_replicas: 0}): with none,
 *                     a cluster that holds requests (the local cluster's gateway) holds them while the platform
 *                     starts a replica, rather than refusing them as it does for a stopped app
 * @since 0.1 ({@code wakesOnDemand})
 */
public record AppDeployment(
        AppRef app, AppSpec spec, int replicas, Map<String, String> environment, boolean wakesOnDemand) {
    public AppDeployment {
        requireNonNull(app, "app is null");
        requireNonNull(spec, "spec is null");
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas is negative: " + replicas);
        }
        environment = Map.copyOf(environment);
    }

    /** A deployment that does not wake on demand. */
    public AppDeployment(AppRef app, AppSpec spec, int replicas, Map<String, String> environment) {
        this(app, spec, replicas, environment, false);
    }
}
