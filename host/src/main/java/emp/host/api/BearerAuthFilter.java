package emp.host.api;

import emp.host.auth.AccountService;
import emp.host.auth.Caller;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/**
 * Turns {@code Authorization: Bearer TOKEN} into the request's user, or answers 401 (through the exception mappers)
 * when the token is missing, unknown, revoked or expired. Without that header, the dashboard's session cookie does the
 * same, and a change made with it needs its CSRF header ({@link SessionCookie}).
 */
@Authenticated
@Priority(Priorities.AUTHENTICATION)
final class BearerAuthFilter implements ContainerRequestFilter {
    private static final String BEARER = "bearer ";
    private final AccountService accounts;

    BearerAuthFilter(AccountService accounts) {
        this.accounts = accounts;
    }

    /** The token of an {@code Authorization: Bearer TOKEN} header; null for none or another scheme. */
    static String token(String header) {
        return header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? header.substring(BEARER.length()).trim()
                : null;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String cookie = authorization == null ? SessionCookie.token(request) : null;
        boolean byCookie = cookie != null;
        String token = byCookie ? cookie : token(authorization);
        Caller caller = accounts.authenticate(token);
        if (byCookie) {
            SessionCookie.requireCsrf(request, token);
        }
        String username = caller.username();
        request.setProperty(TOKEN_PROPERTY, token);
        request.setProperty(CALLER_PROPERTY, caller);
        boolean secure = request.getSecurityContext().isSecure();
        request.setSecurityContext(new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return () -> username;
            }

            @Override
            public boolean isUserInRole(String role) {
                return caller.role().wire().equals(role);
            }

            @Override
            public boolean isSecure() {
                return secure;
            }

            @Override
            public String getAuthenticationScheme() {
                return byCookie ? "Cookie" : "Bearer";
            }
        });
    }

    static final String TOKEN_PROPERTY = "emp.token";
    /** The request property that holds the {@link Caller}. */
    static final String CALLER_PROPERTY = "emp.caller";
}
