package emp.host.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.JsonCodec;
import jakarta.ws.rs.Path;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.Test;

/** The OpenAPI document names exactly the routes the server registers, no more and no fewer. */
class OpenApiTest {
    @Test
    void documentMatchesTheRegisteredRoutes() throws Exception {
        ResourceConfig application = ApiServer.application(
                new ApiServices(null, null, null, null, Map.of(), null, null, null, null, "test"));
        Set<String> routes = new TreeSet<>();
        for (Object instance : application.getInstances()) {
            if (instance.getClass().isAnnotationPresent(Path.class)) {
                collect(Resource.from(instance.getClass()), "", routes);
            }
        }

        JsonNode document;
        try (InputStream in = OpenApiTest.class.getResourceAsStream(OpenApiResource.RESOURCE)) {
            document = JsonCodec.MAPPER.readTree(in);
        }
        Set<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue()
                    .fieldNames()
                    .forEachRemaining(method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey()));
        }

        assertThat(document.get("openapi").asText()).startsWith("3.");
        assertThat(routes).as("routes of the server").hasSizeGreaterThan(10);
        assertThat(documented).isEqualTo(routes);
    }

    private static void collect(Resource resource, String parent, Set<String> routes) {
        String path = join(parent, resource.getPath());
        for (ResourceMethod method : resource.getResourceMethods()) {
            routes.add(method.getHttpMethod() + " " + path);
        }
        for (Resource child : resource.getChildResources()) {
            collect(child, path, routes);
        }
    }

    private static String join(String parent, String path) {
        // A template with a pattern ("{file: .+}") is documented by its name alone.
        String joined = (parent + "/" + path).replaceAll("/+", "/").replaceAll("\\{(\\w+)\\s*:[^}]*}", "{$1}");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }
}
