package emp.host.api;

import emp.host.JsonCodec;
import emp.host.auth.Caller;
import emp.host.plugin.PluginAdmin;
import emp.host.plugin.PluginInfo;
import emp.spi.PlatformException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.server.Request;

/**
 * {@code /v1/plugins}: the loaded plugins, their extensions, and which are in use (anyone may read it); and, for the
 * platform's operators only (403 for anyone else), installing a plugin jar, removing one, and choosing the scheduler
 * while the platform runs.
 */
@Path("/v1/plugins")
@Produces(MediaType.APPLICATION_JSON)
public final class PluginsResource {
    private final PluginAdmin plugins;

    PluginsResource(PluginAdmin plugins) {
        this.plugins = plugins;
    }

    @GET
    public List<PluginInfo> list() {
        return plugins.describe();
    }

    /** Installs the jar in the body (a newer version of an installed plugin upgrades it). */
    @POST
    @Authenticated
    @Consumes(MediaType.WILDCARD)
    public Response install(InputStream body, @Context ContainerRequestContext request, @Context Request connection) {
        Caller operator = OperatorResource.operator(request);
        byte[] jar;
        try {
            jar = body.readAllBytes();
        } catch (IOException e) {
            throw PlatformException.invalid(
                    "plugin", "the upload was cut short (" + e.getMessage() + "); send it again");
        }
        if (jar.length == 0) {
            throw PlatformException.invalid(
                    "plugin", "the request has no body; send the plugin's jar file (emp plugins install FILE.jar)");
        }
        PluginAdmin.Installed installed =
                plugins.install(jar, operator.username(), Client.of(connection).address());
        return Response.status(installed.outcome() == PluginAdmin.Outcome.INSTALLED ? 201 : 200)
                .entity(new InstalledPlugin(
                        installed.id(),
                        installed.version(),
                        installed.outcome().name().toLowerCase(Locale.ROOT),
                        installed.extensions().stream()
                                .map(offer ->
                                        new PluginInfo.Extension(offer.kind().point(), offer.name(), false, null))
                                .toList()))
                .build();
    }

    @DELETE
    @Path("/{id}")
    @Authenticated
    public Response remove(
            @PathParam("id") String id, @Context ContainerRequestContext request, @Context Request connection) {
        Caller operator = OperatorResource.operator(request);
        plugins.remove(id, operator.username(), Client.of(connection).address());
        return Response.noContent().build();
    }

    /** Chooses what an extension point uses: the scheduler switches at once; the others need a restart. */
    @PUT
    @Path("/active/{point}")
    @Authenticated
    @Consumes(MediaType.WILDCARD)
    public ActiveExtension use(
            @PathParam("point") String point,
            String body,
            @Context ContainerRequestContext request,
            @Context Request connection) {
        Caller operator = OperatorResource.operator(request);
        UseRequest use = JsonCodec.readRequest(body, UseRequest.class, "choice");
        if (use.name() == null || use.name().isBlank()) {
            throw PlatformException.invalid("name", "field 'name' is missing; send {\"name\": \"tracegraph\"}");
        }
        plugins.use(
                point,
                use.name().trim(),
                operator.username(),
                Client.of(connection).address());
        return new ActiveExtension(point, use.name().trim());
    }

    /** The body of {@code PUT /v1/plugins/active/{point}}. */
    public record UseRequest(String name) {}

    /** What an extension point uses now. */
    public record ActiveExtension(String point, String name) {}

    /**
     * The answer of an install.
     *
     * @param outcome {@code installed}, {@code upgraded} (the new version runs now) or {@code staged} (it replaces a
     *                plugin in use at the next start)
     */
    public record InstalledPlugin(String id, String version, String outcome, List<PluginInfo.Extension> extensions) {}
}
