package emp.cluster.kubernetes;

import emp.spi.app.AppSpec;
import emp.spi.cluster.AppDeployment;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * An app container's environment: the spec's {@code envs}, then the app's secrets, then the platform's variables, then
 * the configured Kafka address, then {@code <DEP>_URL} of each dependency, and {@code PORT}; a later one wins. Last,
 * {@value #INSTANCE}, the pod's name from the downward API, which no spec may set.
 *
 * <p>A secret is a reference to its key in the app's Secret ({@code valueFrom.secretKeyRef}), never its value: the
 * value stays out of the Deployment, which more people and tools read than the Secret.
 */
final class ContainerEnvironment {
    /** The variable that names the replica a process runs as. */
    static final String INSTANCE = "EMP_INSTANCE";

    private ContainerEnvironment() {}

    /**
     * @param secret        the name of the app's Secret, which holds each of {@code deployment}'s secrets under its name
     * @param kafkaAddress  the Kafka the apps reach, or null
     * @param dependencyUrl where the owner's app of that name is called inside the cluster
     * @param port          the container's port
     */
    static List<EnvVar> of(
            AppDeployment deployment,
            String secret,
            String kafkaAddress,
            Function<String, URI> dependencyUrl,
            int port) {
        Map<String, EnvVar> variables = new LinkedHashMap<>();
        deployment.spec().envs().forEach(env -> variables.put(env.name(), plain(env.name(), env.value())));
        for (String name : new TreeSet<>(deployment.secrets().keySet())) {
            variables.put(name, secretRef(name, secret));
        }
        new TreeMap<>(deployment.environment()).forEach((name, value) -> variables.put(name, plain(name, value)));
        if (kafkaAddress != null) {
            variables.put("KAFKA_ADDRESS", plain("KAFKA_ADDRESS", kafkaAddress));
            variables.put("KAFKAADDRESS", plain("KAFKAADDRESS", kafkaAddress));
        }
        for (String dependency : deployment.spec().dependencies()) {
            String name = AppSpec.dependencyVariable(dependency);
            variables.put(name, plain(name, dependencyUrl.apply(dependency).toString()));
        }
        variables.remove("PORT");
        variables.put("PORT", plain("PORT", Integer.toString(port)));
        variables.remove(INSTANCE);
        List<EnvVar> environment = new ArrayList<>(variables.values());
        // Which replica this is, as on every cluster: here the pod's name.
        environment.add(new EnvVarBuilder()
                .withName(INSTANCE)
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .build());
        return environment;
    }

    private static EnvVar plain(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static EnvVar secretRef(String name, String secret) {
        return new EnvVarBuilder()
                .withName(name)
                .withNewValueFrom()
                .withNewSecretKeyRef()
                .withName(secret)
                .withKey(name)
                .endSecretKeyRef()
                .endValueFrom()
                .build();
    }
}
