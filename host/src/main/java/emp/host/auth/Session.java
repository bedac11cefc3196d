package emp.host.auth;

import java.time.Instant;

/** A login's result: the bearer token (shown once, never stored in clear), whose it is, and until when it works. */
public record Session(String token, String username, Instant expiresAt) {}
