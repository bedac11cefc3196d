package emp.host.auth;

import java.time.Instant;

/** An account as the API shows it. */
public record AccountInfo(String username, Instant createdAt) {}
