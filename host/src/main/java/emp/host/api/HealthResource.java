package emp.host.api;

import emp.spi.Health;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** {@code /healthz}: 200 when the store and the cluster answer their checks, 503 otherwise, with each check. */
@Path("/healthz")
@Produces(MediaType.APPLICATION_JSON)
public final class HealthResource {
    private final Map<String, Supplier<Health>> checks;
    private final String version;

    HealthResource(Map<String, Supplier<Health>> checks, String version) {
        this.checks = checks;
        this.version = version;
    }

    @GET
    public Response health() {
        Map<String, Object> body = new LinkedHashMap<>();
        boolean healthy = true;
        Map<String, Health> results = new LinkedHashMap<>();
        for (Map.Entry<String, Supplier<Health>> check : checks.entrySet()) {
            Health health;
            try {
                health = check.getValue().get();
            } catch (RuntimeException e) {
                health = Health.unhealthy(check.getKey() + " check failed: " + e.getMessage());
            }
            results.put(check.getKey(), health);
            healthy &= health.healthy();
        }
        body.put("status", healthy ? "ok" : "unavailable");
        body.put("version", version);
        body.put("checks", results);
        return Response.status(healthy ? 200 : 503).entity(body).build();
    }
}
