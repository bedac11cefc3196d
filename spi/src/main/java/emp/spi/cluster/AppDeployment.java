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
 * @param replicas    how many replicas to run now (0 for a stopped app)
 * @param environment variables the platform injects into every replica on top of the spec's {@code envs}
 *                    ({@code EMP_SERVICE_NAME}, {@code ZIPKIN_ENDPOINT}, {@code KAFKA_ADDRESS}...); the cluster
 *                    adds what only it knows: {@code PORT} and the {@code <DEP>_URL} of each dependency
 */
public record AppDeployment(AppRef app, AppSpec spec, int replicas, Map<String, String> environment) {
    public AppDeployment {
        requireNonNull(app, "app is null");
        requireNonNull(spec, "spec is null");
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas is negative: " + replicas);
        }
        environment = Map.copyOf(environment);
    }
}
