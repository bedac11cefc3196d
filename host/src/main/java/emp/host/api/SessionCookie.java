package emp.host.api;

import emp.host.auth.Session;
import emp.spi.PlatformException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.NewCookie;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/**
 * The dashboard's session: the same token as {@code emp login}'s, carried by a cookie the page's scripts cannot read
 * ({@code HttpOnly}) and that no other site's page sends ({@code SameSite=Strict}). A change made with it (any method
 * but GET and HEAD) must also carry {@value #CSRF_HEADER}, a value derived from the token that only a page of this
 * origin can read ({@code GET /ui/session}): a request forged by another site carries neither.
 */
final class SessionCookie {
    static final String NAME = "emp_session";
    static final String CSRF_HEADER = "X-EMP-CSRF";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private SessionCookie() {}

    /** The session token the request's cookie carries, or null. */
    static String token(ContainerRequestContext request) {
        Cookie cookie = request.getCookies().get(NAME);
        return cookie == null || cookie.getValue().isBlank() ? null : cookie.getValue();
    }

    /**
     * Refuses a change made with the cookie alone.
     *
     * @throws PlatformException of category FORBIDDEN when the method changes something and the header is missing or
     *     wrong
     */
    static void requireCsrf(ContainerRequestContext request, String token) {
        if (SAFE_METHODS.contains(request.getMethod())) {
            return;
        }
        String sent = request.getHeaderString(CSRF_HEADER);
        if (sent == null
                || !MessageDigest.isEqual(
                        sent.getBytes(StandardCharsets.UTF_8), csrf(token).getBytes(StandardCharsets.UTF_8))) {
            throw PlatformException.forbidden("a change made with the dashboard's session cookie needs the header "
                    + CSRF_HEADER + " with the 'csrf' value of GET /ui/session; scripts send 'Authorization: Bearer"
                    + " TOKEN' instead");
        }
    }

    /** The value a page of this origin sends in {@value #CSRF_HEADER}: a digest of the token, not the token. */
    static String csrf(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("emp-csrf\0" + token).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The cookie that carries a new session, for as long as the session lasts. */
    static NewCookie issue(Session session, boolean secure, Instant now) {
        long seconds = Math.max(0, Duration.between(now, session.expiresAt()).toSeconds());
        return cookie(session.token(), (int) Math.min(Integer.MAX_VALUE, seconds), secure);
    }

    /** The cookie that makes the browser forget the session. */
    static NewCookie cleared(boolean secure) {
        return cookie("", 0, secure);
    }

    private static NewCookie cookie(String value, int maxAge, boolean secure) {
        return new NewCookie.Builder(NAME)
                .value(value)
                .path("/")
                .maxAge(maxAge)
                .httpOnly(true)
                .secure(secure)
                .sameSite(NewCookie.SameSite.STRICT)
                .build();
    }
}
