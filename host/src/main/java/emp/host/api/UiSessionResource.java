package emp.host.api;

import emp.host.JsonCodec;
import emp.host.auth.AccountService;
import emp.host.auth.Caller;
import emp.host.auth.Credentials;
import emp.host.auth.Session;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Instant;
import org.eclipse.jetty.server.Request;

/**
 * {@code /ui/session}: the dashboard's login, held in a cookie ({@link SessionCookie}). Anyone may log in; reading and
 * ending the session needs it. Logging in takes JSON only, which another site's form cannot send.
 */
@Path("/ui/session")
@Produces(MediaType.APPLICATION_JSON)
public final class UiSessionResource {
    private final AccountService accounts;

    UiSessionResource(AccountService accounts) {
        this.accounts = accounts;
    }

    /** Who is logged in, and the value the page sends with each change. */
    public record BrowserSession(String username, String role, String csrf) {}

    @GET
    @Authenticated
    public BrowserSession current(@Context ContainerRequestContext request) {
        return session((Caller) request.getProperty(BearerAuthFilter.CALLER_PROPERTY), (String)
                request.getProperty(BearerAuthFilter.TOKEN_PROPERTY));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response login(String body, @Context SecurityContext security, @Context Request connection) {
        Session session = accounts.login(
                JsonCodec.readRequest(body, Credentials.class, "login (username and password)"),
                Client.of(connection).address());
        Caller caller = accounts.authenticate(session.token());
        return Response.status(Response.Status.CREATED)
                .cookie(SessionCookie.issue(session, security.isSecure(), Instant.now()))
                .entity(session(caller, session.token()))
                .build();
    }

    @DELETE
    @Authenticated
    public Response logout(
            @Context ContainerRequestContext request, @Context SecurityContext security, @Context Request connection) {
        accounts.logout(
                (String) request.getProperty(BearerAuthFilter.TOKEN_PROPERTY),
                security.getUserPrincipal().getName(),
                Client.of(connection).address());
        return Response.noContent()
                .cookie(SessionCookie.cleared(security.isSecure()))
                .build();
    }

    private static BrowserSession session(Caller caller, String token) {
        return new BrowserSession(caller.username(), caller.role().wire(), SessionCookie.csrf(token));
    }
}
