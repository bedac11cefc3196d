package emp.host.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import emp.host.JsonCodec;
import emp.host.apps.AppEvent;
import emp.host.apps.AppService;
import emp.host.apps.AppView;
import emp.host.apps.TextField;
import emp.host.tracing.TraceSummary;
import emp.host.tracing.TracingReport;
import emp.host.tracing.TracingService;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.cluster.LoadFigures;
import emp.spi.cluster.LogLine;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code /v1/apps}: everything a developer does with apps. Apps are addressed by id or by name. */
@Path("/v1/apps")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public final class AppsResource {
    private final AppService apps;
    private final TracingService tracing;

    AppsResource(AppService apps, TracingService tracing) {
        this.apps = apps;
        this.tracing = tracing;
    }

    /** Deploys one spec, or a list of them (a whole system) all or nothing. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response deploy(String body, @Context SecurityContext security, @Context UriInfo uri) {
        JsonNode tree = JsonCodec.readRequest(body, JsonNode.class, "app spec");
        List<AppView> deployed = apps.deploy(user(security), specs(tree));
        Response.ResponseBuilder response = Response.status(Response.Status.CREATED);
        if (tree.isArray()) {
            return response.entity(deployed).build();
        }
        return response.location(
                        uri.getAbsolutePathBuilder().path(deployed.get(0).id()).build())
                .entity(deployed.get(0))
                .build();
    }

    /**
     * Makes the caller's apps of these names run these specs, all or nothing: deploys those that are new, updates in
     * place those whose spec changed (the cluster rolls their replicas), leaves alone those whose spec is the same.
     * Answers each app with {@code change}: {@code created}, {@code updated} or {@code unchanged}.
     */
    @PUT
    @Consumes(MediaType.WILDCARD)
    public Response apply(String body, @Context SecurityContext security) {
        JsonNode tree = JsonCodec.readRequest(body, JsonNode.class, "app spec");
        List<AppService.Applied> applied = apps.apply(user(security), specs(tree));
        List<AppliedApp> answer = applied.stream()
                .map(each -> new AppliedApp(each.app(), each.change().name().toLowerCase(Locale.ROOT)))
                .toList();
        return Response.ok(tree.isArray() ? answer : answer.get(0)).build();
    }

    /** An app as {@link AppView} shows it, and what {@code PUT /v1/apps} did to it. */
    public record AppliedApp(@JsonUnwrapped AppView app, String change) {}

    private static List<AppSpec> specs(JsonNode tree) {
        List<AppSpec> specs = new ArrayList<>();
        if (tree.isArray()) {
            for (int i = 0; i < tree.size(); i++) {
                specs.add(readSpec(tree.get(i), "[" + i + "]."));
            }
        } else if (tree.isObject()) {
            specs.add(readSpec(tree, ""));
        } else {
            throw PlatformException.invalid(null, "the app spec must be a JSON object, or a list of them");
        }
        return specs;
    }

    private static AppSpec readSpec(JsonNode node, String prefix) {
        try {
            return JsonCodec.readRequest(node.toString(), AppSpec.class, "app spec");
        } catch (PlatformException e) {
            if (prefix.isEmpty() || e.field().isEmpty()) {
                throw e;
            }
            String field = prefix + e.field().get();
            throw PlatformException.invalid(
                    field, e.getMessage().replace("'" + e.field().get() + "'", "'" + field + "'"));
        }
    }

    /** The caller's apps; with {@code all=true}, an operator's view of every user's. */
    @GET
    public List<AppView> list(
            @QueryParam("all") @DefaultValue("false") String all,
            @Context SecurityContext security,
            @Context ContainerRequestContext request) {
        if (parseBoolean("all", all)) {
            OperatorResource.operator(request);
            return apps.listAll();
        }
        return apps.list(user(security));
    }

    @GET
    @Path("/{id}")
    public AppView get(@PathParam("id") String id, @Context SecurityContext security) {
        return apps.get(user(security), id);
    }

    @DELETE
    @Path("/{id}")
    public Response remove(
            @PathParam("id") String id,
            @QueryParam("purge") @DefaultValue("false") String purge,
            @Context SecurityContext security) {
        apps.remove(user(security), id, parseBoolean("purge", purge));
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/stop")
    public AppView stop(@PathParam("id") String id, @Context SecurityContext security) {
        return apps.stop(user(security), id);
    }

    @POST
    @Path("/{id}/start")
    public AppView start(@PathParam("id") String id, @Context SecurityContext security) {
        return apps.start(user(security), id);
    }

    /** The endpoint people ({@code emp scale}) and external schedulers use. */
    /** A rolling restart: every replica replaced by a new one, new ones first. */
    @POST
    @Path("/{id}/restart")
    public AppView restart(@PathParam("id") String id, @Context SecurityContext security) {
        return apps.restart(user(security), id, user(security));
    }

    @PUT
    @Path("/{id}/replicas")
    @Consumes(MediaType.WILDCARD)
    public AppView scale(@PathParam("id") String id, String body, @Context SecurityContext security) {
        ScaleRequest request = JsonCodec.readRequest(body, ScaleRequest.class, "scale request");
        if (request.replicas() == null) {
            throw PlatformException.invalid("replicas", "field 'replicas' is missing; send {\"replicas\": N}");
        }
        TextField.require("reason", request.reason(), AppService.MAX_REASON, false);
        return apps.scale(user(security), id, request.replicas(), request.reason(), user(security));
    }

    /** Sets one quality metric at runtime (REQ-8). */
    @PUT
    @Path("/{id}/quality-metrics/{metric}")
    @Consumes(MediaType.WILDCARD)
    public AppView updateQualityMetric(
            @PathParam("id") String id,
            @PathParam("metric") String metric,
            String body,
            @Context SecurityContext security) {
        MetricRequest request = JsonCodec.readRequest(body, MetricRequest.class, "quality metric update");
        if (request.values() == null) {
            throw PlatformException.invalid("values", "field 'values' is missing; send {\"values\": \"200\"}");
        }
        return apps.updateQualityMetric(user(security), id, metric, request.values());
    }

    @GET
    @Path("/{id}/events")
    public List<AppEvent> events(
            @PathParam("id") String id,
            @QueryParam("limit") @DefaultValue("100") String limit,
            @QueryParam("after") String after,
            @Context SecurityContext security) {
        return apps.events(
                user(security), id, parseCount("limit", limit, 1000), after == null ? null : parseSequence(after));
    }

    @GET
    @Path("/{id}/logs")
    public List<LogLine> logs(
            @PathParam("id") String id,
            @QueryParam("tail") @DefaultValue("100") String tail,
            @Context SecurityContext security) {
        return apps.logs(user(security), id, parseCount("tail", tail, 10_000));
    }

    /**
     * The app's requests per second over the last minute as the cluster measured them in its request path: arrivals,
     * completions, rejections, in flight and waiting. The owner only, like every route here.
     */
    @GET
    @Path("/{id}/load")
    public LoadFigures load(@PathParam("id") String id, @Context SecurityContext security) {
        return apps.load(user(security), id);
    }

    /** The app's rate, errors, latency percentiles, self time and calls to other apps over the window (REQ-14). */
    @GET
    @Path("/{id}/tracing")
    public TracingReport tracing(@PathParam("id") String id, @Context SecurityContext security) {
        return tracing.report(user(security), id);
    }

    /**
     * The variables a replica of the app is given to send its spans, its span credential among them: for its owner
     * to report spans from a process EMP does not run. A secret of the app's, like a token.
     */
    @GET
    @Path("/{id}/span-credential")
    public TracingService.SpanEnvironment spanCredential(
            @PathParam("id") String id, @Context SecurityContext security) {
        return tracing.spanEnvironment(user(security), id);
    }

    /** The app's newest traces with their spans, to open in a trace UI or compare with one. */
    @GET
    @Path("/{id}/traces")
    public List<TraceSummary> traces(
            @PathParam("id") String id,
            @QueryParam("limit") @DefaultValue("20") String limit,
            @Context SecurityContext security) {
        return tracing.traces(user(security), id, parseCount("limit", limit, 50));
    }

    private static String user(SecurityContext security) {
        return security.getUserPrincipal().getName();
    }

    /** An event's sequence number, for {@code after}: 0 or more. */
    static long parseSequence(String value) {
        try {
            long sequence = Long.parseLong(value.trim());
            if (sequence >= 0) {
                return sequence;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw PlatformException.invalid(
                "after",
                "'after' is '" + TextField.shown(value)
                        + "'; expected the sequence number (seq) of an event, 0 or more");
    }

    static int parseCount(String name, String value, int max) {
        try {
            int count = Integer.parseInt(value.trim());
            if (count >= 1 && count <= max) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw PlatformException.invalid(
                name, "query parameter '" + name + "' is '" + value + "'; expected an integer from 1 to " + max);
    }

    private static boolean parseBoolean(String name, String value) {
        return switch (value.trim().toLowerCase()) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no", "" -> false;
            default ->
                throw PlatformException.invalid(
                        name, "query parameter '" + name + "' is '" + value + "'; expected true or false");
        };
    }

    /** The body of {@code PUT /v1/apps/{id}/replicas}. */
    public record ScaleRequest(Integer replicas, String reason) {}

    /** The body of {@code PUT /v1/apps/{id}/quality-metrics/{metric}}. */
    public record MetricRequest(String values) {}
}
