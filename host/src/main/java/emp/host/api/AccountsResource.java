package emp.host.api;

import emp.host.JsonCodec;
import emp.host.auth.AccountInfo;
import emp.host.auth.AccountService;
import emp.host.auth.SignUp;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.jetty.server.Request;

/**
 * {@code /v1/accounts}: create an account (REQ-1). Anyone may call it; whether the account is made follows the
 * platform's sign-up policy (the first account, its operator, from the server's machine or with the setup token; then
 * open, by invite, or closed).
 */
@Path("/v1/accounts")
@Produces(MediaType.APPLICATION_JSON)
public final class AccountsResource {
    private final AccountService accounts;

    AccountsResource(AccountService accounts) {
        this.accounts = accounts;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(String body, @Context Request connection) {
        Client client = Client.of(connection);
        AccountInfo account = accounts.create(
                JsonCodec.readRequest(body, SignUp.class, "account (username and password)"),
                client.address(),
                client.local());
        return Response.status(Response.Status.CREATED).entity(account).build();
    }
}
