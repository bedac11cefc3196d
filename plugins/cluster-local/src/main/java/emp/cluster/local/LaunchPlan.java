package emp.cluster.local;

import static java.util.Objects.requireNonNull;

import emp.spi.app.AppSpec;
import emp.spi.cluster.AppDeployment;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Everything that decides how one replica of an app is started, apart from its port: the command, the variables
 * added to the server's environment, and the health path. Two deployments with the same plan need no new replicas;
 * a changed plan (its {@link #fingerprint()}) rolls them.
 *
 * @param command     the spec's command; {@code $PORT} not yet expanded
 * @param environment the variables each replica gets on top of the server's: the spec's {@code envs}, then the
 *                    secrets, then the platform's, then {@code <DEP>_URL} for each dependency (later ones win)
 * @param healthPath  the spec's explicit health path, or null when readiness is any answer on {@code /}
 * @param limits      the cpu and memory each replica may use, from the spec's {@code resources}
 */
record LaunchPlan(List<String> command, Map<String, String> environment, String healthPath, ResourceLimits limits) {
    LaunchPlan {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        requireNonNull(limits, "limits is null");
    }

    /**
     * The plan of a deployment.
     *
     * @param dependencyUrl the URL other apps of the owner are called at, by name
     */
    static LaunchPlan of(AppDeployment deployment, Function<String, URI> dependencyUrl) {
        requireNonNull(deployment, "deployment is null");
        Map<String, String> environment = new TreeMap<>(deployment.variables());
        for (String dependency : deployment.spec().dependencies()) {
            environment.put(
                    AppSpec.dependencyVariable(dependency),
                    dependencyUrl.apply(dependency).toString());
        }
        String healthPath = deployment.spec().health() == null
                ? null
                : deployment.spec().health().path();
        return new LaunchPlan(
                deployment.spec().command(),
                environment,
                healthPath,
                ResourceLimits.of(deployment.spec().resources()));
    }

    /** A short digest of the plan, stable across runs, stored beside each replica to tell whether it is current. */
    String fingerprint() {
        StringBuilder text = new StringBuilder();
        command.forEach(argument -> text.append("command ")
                .append(argument.length())
                .append(':')
                .append(argument)
                .append('\n'));
        new TreeMap<>(environment)
                .forEach((name, value) -> text.append("env ")
                        .append(name.length())
                        .append(':')
                        .append(name)
                        .append('=')
                        .append(value.length())
                        .append(':')
                        .append(value)
                        .append('\n'));
        text.append("health ")
                .append(healthPath == null ? "-" : healthPath.length() + ":" + healthPath)
                .append('\n');
        if (limits.any()) {
            // Only when set, so that the plans of apps without limits keep the fingerprint they had before limits.
            text.append("limits ")
                    .append(limits.cpuMillis())
                    .append("m ")
                    .append(limits.memoryBytes())
                    .append('\n');
        }
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
