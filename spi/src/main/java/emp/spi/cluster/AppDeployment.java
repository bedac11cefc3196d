package emp.spi.cluster;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

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
 * @param secrets      variables the app's owner set as secrets ({@code emp secrets}), in the clear: every replica
 *                     gets them on top of the spec's {@code envs}, and the cluster keeps them out of what it shows or
 *                     logs; one with a store for secrets (Kubernetes) keeps them there and references them. A
 *                     deployment's {@link #toString()} masks them
 */
public record AppDeployment(
        AppRef app,
        AppSpec spec,
        int replicas,
        Map<String, String> environment,
        boolean wakesOnDemand,
        Map<String, String> secrets) {
    public AppDeployment {
        requireNonNull(app, "app is null");
        requireNonNull(spec, "spec is null");
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas is negative: " + replicas);
        }
        environment = Map.copyOf(environment);
        secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
    }

    /** A deployment without secrets. */
    public AppDeployment(
            AppRef app, AppSpec spec, int replicas, Map<String, String> environment, boolean wakesOnDemand) {
        this(app, spec, replicas, environment, wakesOnDemand, Map.of());
    }

    /** A deployment without secrets that does not wake on demand. */
    public AppDeployment(AppRef app, AppSpec spec, int replicas, Map<String, String> environment) {
        this(app, spec, replicas, environment, false, Map.of());
    }

    /** The same deployment with another replica count. */
    public AppDeployment withReplicas(int newReplicas) {
        return new AppDeployment(app, spec, newReplicas, environment, wakesOnDemand, secrets);
    }

    /**
     * The variables every replica gets besides {@code PORT} and {@code <DEP>_URL}, where a cluster keeps no secrets
     * of its own: the spec's {@code envs}, then the secrets, then the platform's {@link #environment()}; a later one
     * wins.
     */
    public Map<String, String> variables() {
        Map<String, String> variables = new TreeMap<>();
        spec.envs().forEach(env -> variables.put(env.name(), env.value()));
        variables.putAll(secrets);
        variables.putAll(environment);
        return variables;
    }

    /** The deployment with its secrets' values masked: what a log line or an error may show. */
    @Override
    public String toString() {
        return "AppDeployment[app=" + app + ", spec=" + spec + ", replicas=" + replicas + ", environment="
                + environment + ", wakesOnDemand=" + wakesOnDemand + ", secrets=" + new TreeSet<>(secrets.keySet())
                + "]";
    }
}
