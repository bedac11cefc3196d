package emp.host.auth;

import java.time.Instant;

/**
 * An account as the API shows it.
 *
 * @param disabled whether an operator disabled it: it cannot log in, and its apps were stopped
 */
public record AccountInfo(String username, Instant createdAt, Role role, boolean disabled) {}
