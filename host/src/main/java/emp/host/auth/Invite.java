package emp.host.auth;

import java.time.Instant;

/**
 * An invite to create one account: the code (shown once; the store keeps only its hash) and until when it works.
 *
 * @param code      what the invited person gives {@code emp create-account --invite}
 * @param createdBy the operator who issued it
 */
public record Invite(String code, String createdBy, Instant expiresAt) {}
