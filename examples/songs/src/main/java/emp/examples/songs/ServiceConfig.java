package emp.examples.songs;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.EnumMap;
import java.util.Map;

/**
 * What one service needs to start.
 *
 * @param kind         which of the five services
 * @param host         the address to listen on
 * @param port         the port to listen on; 0 picks a free one
 * @param serviceName  the service name its spans carry ({@code user/app} under EMP)
 * @param dependencies the base URL of each service it calls, without a trailing slash; every one of
 *                     {@link ServiceKind#dependencies()} is required
 * @param knobs        the added work per request
 */
public record ServiceConfig(
        ServiceKind kind, String host, int port, String serviceName, Map<ServiceKind, URI> dependencies, Knobs knobs) {
    /** Where a service listens when {@code PORT} is unset. */
    public static final int DEFAULT_PORT = 8000;

    public ServiceConfig {
        requireNonNull(kind, "kind is null");
        requireNonNull(host, "host is null");
        requireNonNull(serviceName, "serviceName is null");
        requireNonNull(knobs, "knobs is null");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535: " + port);
        }
        dependencies = Map.copyOf(dependencies);
        for (ServiceKind dependency : kind.dependencies()) {
            if (!dependencies.containsKey(dependency)) {
                throw new IllegalArgumentException("service '" + kind.id() + "' calls '" + dependency.id()
                        + "' but has no " + dependency.urlVariable() + "; set it to the base URL of '"
                        + dependency.id() + "' (EMP sets it from the app's 'dependencies')");
            }
        }
    }

    /**
     * The configuration of {@code service} from environment variables: {@code PORT}, {@code EMP_SERVICE_NAME} (default
     * {@code songs-<service>}), the {@code <DEP>_URL} of each dependency and the {@link Knobs}.
     *
     * @throws IllegalArgumentException naming the variable at fault and what it should hold
     */
    public static ServiceConfig fromEnvironment(String service, Map<String, String> env) {
        ServiceKind kind = ServiceKind.of(service);
        int port = DEFAULT_PORT;
        String portText = env.get("PORT");
        if (portText != null && !portText.isBlank()) {
            try {
                port = Integer.parseInt(portText.trim());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("PORT is '" + portText + "'; expected a port number such as 8000");
            }
        }
        String serviceName = env.get("EMP_SERVICE_NAME");
        if (serviceName == null || serviceName.isBlank()) {
            serviceName = "songs-" + kind.id();
        }
        Map<ServiceKind, URI> dependencies = new EnumMap<>(ServiceKind.class);
        for (ServiceKind dependency : kind.dependencies()) {
            String url = env.get(dependency.urlVariable());
            if (url != null && !url.isBlank()) {
                dependencies.put(dependency, baseUrl(dependency.urlVariable(), url.trim()));
            }
        }
        return new ServiceConfig(kind, "127.0.0.1", port, serviceName.trim(), dependencies, Knobs.fromEnvironment(env));
    }

    private static URI baseUrl(String variable, String url) {
        String trimmed = url;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        try {
            URI uri = URI.create(trimmed);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // Falls through to the message that says what is expected.
        }
        throw new IllegalArgumentException(
                variable + " is '" + url + "'; expected an http URL such as http://127.0.0.1:8080/alice/songs");
    }
}
