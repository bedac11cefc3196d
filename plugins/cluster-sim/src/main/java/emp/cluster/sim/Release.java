package emp.cluster.sim;

import static java.util.Objects.requireNonNull;

import emp.spi.app.AppSpec;
import emp.spi.cluster.AppDeployment;
import java.util.Map;
import java.util.TreeSet;

/**
 * What one {@code deploy} asked every replica of an app to run: its spec but for the replica count, the platform's
 * variables and the secrets. A deployment that changes any of these rolls the replicas; one that changes only the count
 * scales them. Replicas share their release's instance, so that telling current from outdated is a comparison of
 * references.
 *
 * @param spec        the spec, its {@code replicas} left out
 * @param environment the platform's variables
 * @param secrets     the secrets, in the clear; never shown
 * @param sim         what the simulation takes from the spec
 */
record Release(AppSpec spec, Map<String, String> environment, Map<String, String> secrets, SimSpec sim) {
    Release {
        requireNonNull(spec, "spec is null");
        environment = Map.copyOf(environment);
        secrets = Map.copyOf(secrets);
        requireNonNull(sim, "sim is null");
    }

    /**
     * @throws emp.spi.PlatformException as {@link SimSpec#of} does
     */
    static Release of(AppDeployment deployment, SimClusterConfig config) {
        return new Release(
                deployment.spec().withReplicas(null),
                deployment.environment(),
                deployment.secrets(),
                SimSpec.of(deployment.spec(), config));
    }

    /** The release with its secrets' values masked. */
    @Override
    public String toString() {
        return "Release[spec=" + spec + ", environment=" + environment + ", secrets=" + new TreeSet<>(secrets.keySet())
                + ", sim=" + sim + "]";
    }
}
