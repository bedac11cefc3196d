package emp.host.auth;

import java.time.Instant;

/**
 * A token for Prometheus to scrape {@code /metrics} with every app's figures, and nothing else.
 *
 * @param id    what lists and revokes it: the start of its hash, not a secret
 * @param token the secret, shown once when made; null in lists
 */
public record ScrapeToken(String id, String token, String createdBy, Instant createdAt, Instant expiresAt) {}
