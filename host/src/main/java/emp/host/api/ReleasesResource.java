package emp.host.api;

import emp.host.JsonCodec;
import emp.host.apps.AppReleases;
import emp.host.apps.AppService;
import emp.host.apps.ReleaseView;
import emp.host.apps.TextField;
import emp.spi.PlatformException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/apps/{id}/releases}, {@code rollback}, {@code config} and {@code secrets}: an app's history and the
 * variables that change what it runs. Each change is a new release, which the cluster rolls out. The app's owner only,
 * like every {@code /v1/apps} path; a secret's value is never answered.
 */
@Path("/v1/apps")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public final class ReleasesResource {
    /** The most releases one page lists. */
    static final int MAX_LIMIT = 100;

    private final AppService apps;

    ReleasesResource(AppService apps) {
        this.apps = apps;
    }

    /** The app's releases, newest first. */
    @GET
    @Path("/{id}/releases")
    public List<ReleaseView> list(
            @PathParam("id") String id,
            @QueryParam("limit") @DefaultValue("20") String limit,
            @Context SecurityContext security) {
        return apps.releases().list(user(security), id, AppsResource.parseCount("limit", limit, MAX_LIMIT));
    }

    @GET
    @Path("/{id}/releases/{version}")
    public ReleaseView get(
            @PathParam("id") String id, @PathParam("version") String version, @Context SecurityContext security) {
        return apps.releases().get(user(security), id, parseVersion("version", version));
    }

    /** Goes back to what an earlier release ran ({@code version}; the one before the current when absent). */
    @POST
    @Path("/{id}/rollback")
    @Consumes(MediaType.WILDCARD)
    public ReleaseView rollback(@PathParam("id") String id, String body, @Context SecurityContext security) {
        RollbackRequest request = body == null || body.isBlank()
                ? new RollbackRequest(null)
                : JsonCodec.readRequest(body, RollbackRequest.class, "rollback request");
        if (request.version() != null && request.version() < 1) {
            throw PlatformException.invalid(
                    "version", "field 'version' is " + request.version() + "; releases are numbered from 1");
        }
        return apps.releases().rollback(user(security), id, request.version(), user(security));
    }

    @GET
    @Path("/{id}/config")
    public AppReleases.ConfigView config(@PathParam("id") String id, @Context SecurityContext security) {
        return apps.releases().config(user(security), id);
    }

    /** Sets and unsets config variables, as one new release. */
    @PATCH
    @Path("/{id}/config")
    @Consumes(MediaType.WILDCARD)
    public AppReleases.VariablesChange changeConfig(
            @PathParam("id") String id, String body, @Context SecurityContext security) {
        VariablesRequest request = JsonCodec.readRequest(body, VariablesRequest.class, "config change");
        return apps.releases()
                .changeConfig(user(security), id, request.setOrEmpty(), request.unsetOrEmpty(), user(security));
    }

    /** The names of the app's secrets: never their values. */
    @GET
    @Path("/{id}/secrets")
    public AppReleases.SecretsView secrets(@PathParam("id") String id, @Context SecurityContext security) {
        return apps.releases().secrets(user(security), id);
    }

    /** Sets and unsets secrets, as one new release; the answer names them and holds no value. */
    @PATCH
    @Path("/{id}/secrets")
    @Consumes(MediaType.WILDCARD)
    public AppReleases.VariablesChange changeSecrets(
            @PathParam("id") String id, String body, @Context SecurityContext security) {
        VariablesRequest request = JsonCodec.readRequest(body, VariablesRequest.class, "secrets change");
        AppReleases.VariablesChange change = apps.releases()
                .changeSecrets(user(security), id, request.setOrEmpty(), request.unsetOrEmpty(), user(security));
        return new AppReleases.VariablesChange(change.release(), change.changed(), null, change.secrets());
    }

    /** The body of {@code POST /v1/apps/{id}/rollback}. */
    public record RollbackRequest(Integer version) {}

    /** The body of {@code PATCH /v1/apps/{id}/config} and {@code .../secrets}. */
    public record VariablesRequest(Map<String, String> set, List<String> unset) {
        Map<String, String> setOrEmpty() {
            return set == null ? Map.of() : set;
        }

        List<String> unsetOrEmpty() {
            return unset == null ? List.of() : unset;
        }
    }

    /** A release's version in a path: {@code 3} or {@code v3}. */
    private static int parseVersion(String name, String value) {
        String digits = value.startsWith("v") || value.startsWith("V") ? value.substring(1) : value;
        try {
            int version = Integer.parseInt(digits);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw PlatformException.invalid(
                name, "'" + TextField.shown(value) + "' is not a release version; expected a number like 3 or v3");
    }

    private static String user(SecurityContext security) {
        return security.getUserPrincipal().getName();
    }
}
