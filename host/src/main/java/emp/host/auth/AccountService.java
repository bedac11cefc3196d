package emp.host.auth;

import static java.util.Objects.requireNonNull;

import at.favre.lib.crypto.bcrypt.BCrypt;
import emp.host.JsonCodec;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts and sessions (REQ-1, REQ-2). Passwords are kept as bcrypt hashes; a session token is 256 random bits
 * that the server stores only as its SHA-256, so a leaked store yields no usable token. Tokens expire, and logout
 * deletes them.
 */
public final class AccountService {
    private static final Logger log = LoggerFactory.getLogger(AccountService.class);
    static final String ACCOUNTS = "accounts";
    static final String TOKENS = "tokens";
    private static final Pattern USERNAME = Pattern.compile("[a-z][a-z0-9-]{1,30}");
    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD_BYTES = 72;

    private final StateStore store;
    private final Clock clock;
    private final Duration tokenTtl;
    private final int bcryptCost;
    private final SecureRandom random = new SecureRandom();
    /** Checked when the username is unknown, so a wrong name takes as long as a wrong password. */
    private final String decoyHash;

    public AccountService(StateStore store, Clock clock, Duration tokenTtl, int bcryptCost) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.tokenTtl = requireNonNull(tokenTtl, "tokenTtl is null");
        this.bcryptCost = bcryptCost;
        this.decoyHash = BCrypt.withDefaults().hashToString(bcryptCost, "decoy-password".toCharArray());
    }

    public AccountInfo create(Credentials credentials) {
        String username = requireValidUsername(credentials.username());
        String password = requireValidPassword(credentials.password());
        Instant now = clock.instant();
        String hash = BCrypt.withDefaults().hashToString(bcryptCost, password.toCharArray());
        try {
            store.commit(Write.create(ACCOUNTS, username, JsonCodec.write(new StoredAccount(username, hash, now))));
        } catch (VersionConflictException e) {
            throw PlatformException.conflict("username '" + username + "' is taken; pick another");
        }
        log.info("account '{}' created", username);
        return new AccountInfo(username, now);
    }

    public Session login(Credentials credentials) {
        String username = credentials.username() == null ? "" : credentials.username();
        String password = credentials.password() == null ? "" : credentials.password();
        Optional<StoredAccount> account =
                store.get(ACCOUNTS, username).map(entry -> JsonCodec.readStored(entry.value(), StoredAccount.class));
        String hash = account.map(StoredAccount::passwordHash).orElse(decoyHash);
        boolean verified = BCrypt.verifyer().verify(password.toCharArray(), hash.toCharArray()).verified;
        if (account.isEmpty() || !verified) {
            throw new PlatformException(ErrorCategory.UNAUTHENTICATED, "wrong username or password");
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        Instant expires = now.plus(tokenTtl);
        store.commit(Write.create(TOKENS, hash(token), JsonCodec.write(new StoredToken(username, now, expires))));
        return new Session(token, username, expires);
    }

    /**
     * The username a bearer token belongs to.
     *
     * @throws PlatformException of category UNAUTHENTICATED when the token is unknown, revoked or expired
     */
    public String authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw new PlatformException(
                    ErrorCategory.UNAUTHENTICATED,
                    "this request needs a token; run 'emp login' (or POST /v1/sessions) and send it as 'Authorization: Bearer TOKEN'");
        }
        String key = hash(token);
        Entry entry = store.get(TOKENS, key)
                .orElseThrow(() -> new PlatformException(
                        ErrorCategory.UNAUTHENTICATED,
                        "the token is not valid (unknown or logged out); run 'emp login' again"));
        StoredToken stored = JsonCodec.readStored(entry.value(), StoredToken.class);
        if (!clock.instant().isBefore(stored.expiresAt())) {
            deleteQuietly(key, entry.version());
            throw new PlatformException(
                    ErrorCategory.UNAUTHENTICATED,
                    "the token expired at " + stored.expiresAt() + "; run 'emp login' again");
        }
        return stored.username();
    }

    /** Revokes a token; revoking one that is already gone does nothing. */
    public void logout(String token) {
        String key = hash(token);
        store.get(TOKENS, key).ifPresent(entry -> deleteQuietly(key, entry.version()));
    }

    private void deleteQuietly(String key, long version) {
        try {
            store.commit(Write.delete(TOKENS, key, version));
        } catch (VersionConflictException e) {
            log.debug("token already removed by another request");
        }
    }

    static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static String requireValidUsername(String username) {
        if (username == null || username.isEmpty()) {
            throw PlatformException.invalid("username", "field 'username' is missing; give a name like 'alice'");
        }
        if (!USERNAME.matcher(username).matches()) {
            throw PlatformException.invalid(
                    "username",
                    "username '" + username
                            + "' is not valid; use 2 to 31 characters: a lower-case letter, then lower-case letters, digits or '-'");
        }
        return username;
    }

    private static String requireValidPassword(String password) {
        if (password == null || password.isEmpty()) {
            throw PlatformException.invalid("password", "field 'password' is missing");
        }
        if (password.length() < MIN_PASSWORD) {
            throw PlatformException.invalid(
                    "password", "the password is too short; use at least " + MIN_PASSWORD + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw PlatformException.invalid(
                    "password", "the password is too long; use at most " + MAX_PASSWORD_BYTES + " bytes");
        }
        return password;
    }

    record StoredAccount(String username, String passwordHash, Instant createdAt) {}

    record StoredToken(String username, Instant createdAt, Instant expiresAt) {}
}
