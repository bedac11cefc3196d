package emp.host.api;

import emp.host.JsonCodec;
import emp.host.auth.AccountInfo;
import emp.host.auth.AccountService;
import emp.host.auth.Credentials;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /v1/accounts}: create an account (REQ-1). */
@Path("/v1/accounts")
@Produces(MediaType.APPLICATION_JSON)
public final class AccountsResource {
    private final AccountService accounts;

    AccountsResource(AccountService accounts) {
        this.accounts = accounts;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(String body) {
        AccountInfo account =
                accounts.create(JsonCodec.readRequest(body, Credentials.class, "account (username and password)"));
        return Response.status(Response.Status.CREATED).entity(account).build();
    }
}
