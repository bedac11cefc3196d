package emp.host.api;

import emp.host.JsonCodec;
import emp.host.auth.AccountService;
import emp.host.auth.Credentials;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.jetty.server.Request;

/** {@code /v1/sessions}: log in for a bearer token (REQ-2), and log out. */
@Path("/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
public final class SessionsResource {
    private final AccountService accounts;

    SessionsResource(AccountService accounts) {
        this.accounts = accounts;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response login(String body, @Context Request connection) {
        return Response.status(Response.Status.CREATED)
                .entity(accounts.login(
                        JsonCodec.readRequest(body, Credentials.class, "login (username and password)"),
                        Client.of(connection).address()))
                .build();
    }

    @DELETE
    @Path("/current")
    @Authenticated
    public Response logout(
            @Context ContainerRequestContext request, @Context SecurityContext security, @Context Request connection) {
        accounts.logout(
                (String) request.getProperty(BearerAuthFilter.TOKEN_PROPERTY),
                security.getUserPrincipal().getName(),
                Client.of(connection).address());
        return Response.noContent().build();
    }
}
