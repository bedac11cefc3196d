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
import java.util.function.Function;

/**
 * An app container's environment: the spec's {@code envs}, then the platform's variables, then the configured Kafka
 * address, then {@code <DEP>_URL} of each dependency, and {@code PORT}; a later one wins. Last, {@value #INSTANCE},
 * the pod's name from the downward API, which no spec may set.
 */
final class ContainerEnvironment {
    /** The variable that names the replica a process runs as. */
    static final String INSTANCE = "EMP_INSTANCE";

    private ContainerEnvironment() {}

    /**
     * @param kafkaAddress  the Kafka the apps reach, or null
     * @param dependencyUrl where the owner's app of that name is called inside the cluster
     * @param port          the container's port
     */
    static List<EnvVar> of(
            AppDeployment deployment, String kafkaAddress, Function<String, URI> dependencyUrl, int port) {
        Map<String, String> values = new LinkedHashMap<>();
        deployment.spec().envs().forEach(env -> values.put(env.name(), env.value()));
        values.putAll(new TreeMap<>(deployment.environment()));
        if (kafkaAddress != null) {
            values.put("KAFKA_ADDRESS", kafkaAddress);
            values.put("KAFKAADDRESS", kafkaAddress);
        }
        for (String dependency : deployment.spec().dependencies()) {
            values.put(
                    AppSpec.dependencyVariable(dependency),
                    dependencyUrl.apply(dependency).toString());
        }
        values.remove("PORT");
        values.put("PORT", Integer.toString(port));
        values.remove(INSTANCE);
        List<EnvVar> environment = new ArrayList<>();
        values.forEach((name, value) -> environment.add(
                new EnvVarBuilder().withName(name).withValue(value).build()));
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
}
