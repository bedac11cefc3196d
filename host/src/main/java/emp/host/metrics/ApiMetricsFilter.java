package emp.host.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * Times every request of the control API into {@code emp_api_requests_seconds}, labelled by method, route (the
 * resource's path template, e.g. {@code /v1/apps/{id}/replicas}, never the path itself, so ids do not multiply
 * series; {@code unmatched} for a path no resource serves) and status, with a histogram in buckets from 1 ms to 10 s.
 * Every label has a bounded set of values, whatever clients send: a method HTTP does not define counts as
 * {@code other}.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public final class ApiMetricsFilter implements ContainerRequestFilter, ContainerResponseFilter {
    private static final String STARTED = ApiMetricsFilter.class.getName() + ".started";
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(10)
    };

    private static final Set<String> KNOWN_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");

    private final MeterRegistry registry;

    public ApiMetricsFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        request.setProperty(STARTED, System.nanoTime());
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Object started = request.getProperty(STARTED);
        if (!(started instanceof Long nanos)) {
            return;
        }
        Timer.builder("emp.api.requests")
                .description("requests of the control API, by method, route and status")
                .tag("method", method(request.getMethod()))
                .tag("route", route(request))
                .tag("status", Integer.toString(response.getStatus()))
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(Duration.ofNanos(System.nanoTime() - nanos));
    }

    /** The request's method, or {@code other} for one HTTP does not define: a client cannot multiply series. */
    private static String method(String method) {
        return KNOWN_METHODS.contains(method) ? method : "other";
    }

    private static String route(ContainerRequestContext request) {
        if (!(request.getUriInfo() instanceof ExtendedUriInfo info)) {
            return "unmatched";
        }
        List<UriTemplate> templates = info.getMatchedTemplates();
        if (templates.isEmpty()) {
            return "unmatched";
        }
        StringBuilder route = new StringBuilder();
        for (int i = templates.size() - 1; i >= 0; i--) {
            String template = templates.get(i).getTemplate();
            if (template.isEmpty() || template.equals("/")) {
                continue;
            }
            if (route.length() > 0 && route.charAt(route.length() - 1) == '/' && template.startsWith("/")) {
                route.setLength(route.length() - 1);
            }
            route.append(template);
        }
        return route.length() == 0 ? "/" : route.toString();
    }
}
