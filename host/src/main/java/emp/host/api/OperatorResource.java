package emp.host.api;

import emp.host.JsonCodec;
import emp.host.apps.AppService;
import emp.host.auth.AccountInfo;
import emp.host.auth.AccountService;
import emp.host.auth.AuditLog;
import emp.host.auth.Caller;
import emp.host.auth.Invite;
import emp.host.auth.ScrapeToken;
import emp.spi.PlatformException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.server.Request;

/**
 * What only operators may do, and every route here refuses anyone else with 403: list the users, disable one (no
 * login, every token revoked, every app stopped) or enable them again, issue an invite, read the audit log.
 */
@Path("/v1")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public final class OperatorResource {
    static final int MAX_SCRAPE_DAYS = 3650;

    private final AccountService accounts;
    private final AppService apps;

    OperatorResource(AccountService accounts, AppService apps) {
        this.accounts = accounts;
        this.apps = apps;
    }

    @GET
    @Path("/users")
    public List<AccountInfo> users(@Context ContainerRequestContext request) {
        operator(request);
        return accounts.users();
    }

    @POST
    @Path("/users/{name}/disable")
    public AccountInfo disable(
            @PathParam("name") String name, @Context ContainerRequestContext request, @Context Request connection) {
        Caller operator = operator(request);
        AccountInfo disabled =
                accounts.setDisabled(name, true, operator, Client.of(connection).address());
        apps.stopAll(name, "operator '" + operator.username() + "' disabled the account");
        return disabled;
    }

    @POST
    @Path("/users/{name}/enable")
    public AccountInfo enable(
            @PathParam("name") String name, @Context ContainerRequestContext request, @Context Request connection) {
        return accounts.setDisabled(
                name, false, operator(request), Client.of(connection).address());
    }

    @POST
    @Path("/invites")
    public Response invite(@Context ContainerRequestContext request, @Context Request connection) {
        Invite invite = accounts.invite(operator(request), Client.of(connection).address());
        return Response.status(Response.Status.CREATED).entity(invite).build();
    }

    @GET
    @Path("/audit")
    public List<AuditLog.AuditEvent> audit(
            @QueryParam("limit") @DefaultValue("100") String limit,
            @QueryParam("after") String after,
            @Context ContainerRequestContext request) {
        operator(request);
        return accounts.audit(
                AppsResource.parseCount("limit", limit, 10_000),
                after == null ? null : AppsResource.parseSequence(after));
    }

    /**
     * A token for Prometheus: reads {@code /metrics} with every app's figures, nothing else, for {@code days} (1 to
     * 3,650; 365 when the body gives none).
     */
    @POST
    @Path("/scrape-tokens")
    @Consumes(MediaType.WILDCARD)
    public Response createScrapeToken(
            String body, @Context ContainerRequestContext request, @Context Request connection) {
        Caller operator = operator(request);
        ScrapeTokenRequest asked = body == null || body.isBlank()
                ? new ScrapeTokenRequest(null)
                : JsonCodec.readRequest(body, ScrapeTokenRequest.class, "scrape token request");
        int days = asked.days() == null ? 365 : asked.days();
        if (days < 1 || days > MAX_SCRAPE_DAYS) {
            throw PlatformException.invalid(
                    "days", "'days' is " + days + "; a scrape token lasts 1 to " + MAX_SCRAPE_DAYS + " days");
        }
        ScrapeToken token = accounts.scrapeTokens()
                .create(operator, Duration.ofDays(days), Client.of(connection).address());
        return Response.status(Response.Status.CREATED).entity(token).build();
    }

    /** The body of {@code POST /v1/scrape-tokens}. */
    public record ScrapeTokenRequest(Integer days) {}

    @GET
    @Path("/scrape-tokens")
    public List<ScrapeToken> scrapeTokens(@Context ContainerRequestContext request) {
        operator(request);
        return accounts.scrapeTokens().list();
    }

    @DELETE
    @Path("/scrape-tokens/{id}")
    public Response revokeScrapeToken(
            @PathParam("id") String id, @Context ContainerRequestContext request, @Context Request connection) {
        accounts.scrapeTokens()
                .revoke(id, operator(request), Client.of(connection).address());
        return Response.noContent().build();
    }

    /** The caller, when an operator. */
    static Caller operator(ContainerRequestContext request) {
        Caller caller = (Caller) request.getProperty(BearerAuthFilter.CALLER_PROPERTY);
        if (caller == null || !caller.operator()) {
            throw PlatformException.forbidden("only the platform's operators may do this; you are '"
                    + (caller == null ? "?" : caller.username()) + "', a user");
        }
        return caller;
    }
}
