package emp.host.auth;

import static java.util.Objects.requireNonNull;

import at.favre.lib.crypto.bcrypt.BCrypt;
import emp.host.JsonCodec;
import emp.host.apps.TextField;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts, sessions and who may do what (REQ-1, REQ-2). Passwords are kept as bcrypt hashes; a session token is 256
 * random bits that the server stores only as its SHA-256, so a leaked store yields no usable token. Tokens expire, and
 * logout deletes them.
 *
 * <p><b>Roles.</b> The platform's first account is its operator, made either from the server's own machine (a
 * request from a loopback address) or with the one-time setup token the server prints at its start while it has no
 * operator; the marker of the first operator is created in the same commit as the account, so two first accounts
 * cannot both be operators. After that, sign-up follows {@link SignupPolicy}: open, by an operator's invite (one use
 * each, stored as a hash, expiring after {@link #INVITE_TTL}), or closed. An operator may list users, disable one (no
 * login, every token revoked) and enable them again, and issue invites.
 *
 * <p><b>Guessing.</b> Logins are slowed down per username and per address after failures ({@link LoginThrottle}),
 * and every security event goes to the {@link AuditLog}.
 */
public final class AccountService {
    private static final Logger log = LoggerFactory.getLogger(AccountService.class);
    static final String ACCOUNTS = "accounts";
    static final String TOKENS = "tokens";
    /** The collection every request reads that the host holds whole in memory ({@link emp.host.store.CachedStore}). */
    public static final Set<String> HELD_IN_MEMORY = Set.of(ACCOUNTS);
    /** The collection every request reads of which the host holds what it read lately: the sessions' tokens. */
    public static final Set<String> READ_LATELY_HELD = Set.of(TOKENS);

    static final String INVITES = "invites";
    /** The platform's own entries: which account is its first operator. */
    static final String PLATFORM = "platform";

    static final String FIRST_OPERATOR = "first-operator";
    /** The scope of a scrape token ({@link ScrapeTokens}) in its stored token. */
    static final String SCRAPE = "metrics";
    /** How long an invite works. */
    public static final Duration INVITE_TTL = Duration.ofDays(7);

    private static final Pattern USERNAME = Pattern.compile("[a-z][a-z0-9-]{1,30}");
    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD_BYTES = 72;

    private final StateStore store;
    private final Clock clock;
    private final Duration tokenTtl;
    private final int bcryptCost;
    private final SignupPolicy signup;
    private final AuditLog audit;
    private final LoginThrottle throttle;
    private final ScrapeTokens scrapeTokens;
    /** Checked when the username is unknown, so a wrong name takes as long as a wrong password. */
    private final String decoyHash;
    /** What makes the first operator from afar; null once there is one. */
    private volatile String setupToken;

    public AccountService(
            StateStore store, Clock clock, Duration tokenTtl, int bcryptCost, SignupPolicy signup, AuditLog audit) {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.tokenTtl = requireNonNull(tokenTtl, "tokenTtl is null");
        this.bcryptCost = bcryptCost;
        this.signup = requireNonNull(signup, "signup is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.throttle = new LoginThrottle(clock);
        this.scrapeTokens = new ScrapeTokens(store, clock, audit);
        this.decoyHash = BCrypt.withDefaults().hashToString(bcryptCost, "decoy-password".toCharArray());
        this.setupToken = hasOperator() ? null : Secrets.next("emp_setup_");
    }

    /**
     * The one-time token that makes the platform's first account, its operator, from another machine than the
     * server's; empty once the platform has an operator.
     */
    public Optional<String> setupToken() {
        if (setupToken != null && hasOperator()) {
            setupToken = null;
        }
        return Optional.ofNullable(setupToken);
    }

    /**
     * Makes an account.
     *
     * @param address the client's address, or null when not known
     * @param local   whether the request came from the server's own machine (a loopback address)
     * @throws PlatformException of category INVALID for a bad field, FORBIDDEN when sign-up does not let this account
     *                           in, CONFLICT when the name is taken
     */
    public AccountInfo create(SignUp request, String address, boolean local) {
        String username = requireValidUsername(request.username());
        String password = requireValidPassword(request.password());
        Instant now = clock.instant();
        List<Write> writes = new ArrayList<>();
        Role role = Role.USER;
        String how;
        if (!hasOperator()) {
            String expected = setupToken;
            boolean withToken = request.setupToken() != null
                    && expected != null
                    && MessageDigest.isEqual(
                            request.setupToken().getBytes(StandardCharsets.UTF_8),
                            expected.getBytes(StandardCharsets.UTF_8));
            if (!local && !withToken) {
                audit.record(
                        "signup-refused", null, address, "'" + username + "': no operator yet, and no setup token");
                throw PlatformException.forbidden("this platform has no operator yet: its first account is made from"
                        + " the server's own machine, or with the setup token the server printed at its start"
                        + " (emp create-account --setup-token TOKEN)");
            }
            role = Role.OPERATOR;
            writes.add(Write.create(PLATFORM, FIRST_OPERATOR, username));
            how = withToken ? "the first account, made with the setup token" : "the first account, made locally";
        } else {
            how = admit(request, username, address, writes);
        }
        String hash = BCrypt.withDefaults().hashToString(bcryptCost, password.toCharArray());
        writes.add(
                Write.create(ACCOUNTS, username, JsonCodec.write(new StoredAccount(username, hash, now, role, false))));
        try {
            store.commit(writes);
        } catch (VersionConflictException e) {
            if (e.collection().equals(ACCOUNTS)) {
                throw PlatformException.conflict("username '" + username + "' is taken; pick another");
            }
            if (e.collection().equals(PLATFORM)) {
                throw PlatformException.conflict(
                        "another account became the platform's first operator at the same moment; try again");
            }
            throw PlatformException.conflict(
                    "the invite was used at the same moment by another sign-up; ask for" + " another");
        }
        if (role == Role.OPERATOR) {
            setupToken = null;
        }
        log.info("account '{}' created ({})", username, role.wire());
        audit.record("signup", username, address, "account '" + username + "' created as " + role.wire() + ": " + how);
        return new AccountInfo(username, now, role, false);
    }

    /** Checks the sign-up policy for an account made once the platform has an operator; adds the invite's use. */
    private String admit(SignUp request, String username, String address, List<Write> writes) {
        switch (signup) {
            case OPEN -> {
                return "sign-up is open";
            }
            case CLOSED -> {
                audit.record("signup-refused", null, address, "'" + username + "': sign-up is closed");
                throw PlatformException.forbidden(
                        "sign-up is closed on this platform (accounts.signup); ask its operator for an account");
            }
            default -> {
                if (request.invite() == null || request.invite().isBlank()) {
                    audit.record("signup-refused", null, address, "'" + username + "': no invite");
                    throw PlatformException.forbidden("sign-up on this platform takes an invite: ask its operator"
                            + " for one (emp invite) and give it with --invite CODE");
                }
                String key = hash(request.invite().trim());
                Optional<Entry> invite = store.get(INVITES, key);
                StoredInvite stored = invite.map(entry -> JsonCodec.readStored(entry.value(), StoredInvite.class))
                        .orElse(null);
                if (stored == null || !clock.instant().isBefore(stored.expiresAt())) {
                    audit.record("signup-refused", null, address, "'" + username + "': an unknown or expired invite");
                    throw PlatformException.forbidden(
                            "the invite is not valid (unknown, used or expired); ask the operator for another");
                }
                writes.add(Write.delete(INVITES, key, invite.get().version()));
                return "with an invite from '" + stored.createdBy() + "'";
            }
        }
    }

    /**
     * Logs in.
     *
     * @param address the client's address, or null when not known
     * @throws Throttled after too many failures for the username or from the address
     */
    public Session login(Credentials credentials, String address) {
        String username = credentials.username() == null ? "" : credentials.username();
        String password = credentials.password() == null ? "" : credentials.password();
        try {
            throttle.check(username, address);
        } catch (Throttled e) {
            audit.record("login-throttled", null, address, "'" + TextField.shown(username) + "': " + e.getMessage());
            throw e;
        }
        Optional<StoredAccount> account = account(username);
        String hash = account.map(StoredAccount::passwordHash).orElse(decoyHash);
        // bcrypt reads at most 72 bytes, and no account was made with more: a longer one is wrong, checked as long.
        boolean fits = password.getBytes(StandardCharsets.UTF_8).length <= MAX_PASSWORD_BYTES;
        boolean verified =
                BCrypt.verifyer().verify((fits ? password : "-").toCharArray(), hash.toCharArray()).verified && fits;
        if (account.isEmpty() || !verified) {
            throttle.failed(username, address);
            audit.record(
                    "login-failed",
                    null,
                    address,
                    "'" + TextField.shown(username) + "': " + (account.isEmpty() ? "no such user" : "wrong password")
                            + " (" + throttle.failures(username) + " in a row)");
            throw new PlatformException(ErrorCategory.UNAUTHENTICATED, "wrong username or password");
        }
        throttle.succeeded(username);
        if (account.get().disabledOrFalse()) {
            audit.record("login-failed", username, address, "'" + username + "' is disabled");
            throw PlatformException.forbidden(
                    "account '" + username + "' is disabled by the platform's operator;" + " ask them why");
        }
        String token = Secrets.next("emp_session_");
        Instant now = clock.instant();
        Instant expires = now.plus(tokenTtl);
        Role role = account.get().roleOrUser();
        store.commit(Write.create(TOKENS, hash(token), JsonCodec.write(new StoredToken(username, now, expires, role))));
        audit.record("login", username, address, "'" + username + "' logged in");
        return new Session(token, username, expires);
    }

    /**
     * Who a bearer token belongs to.
     *
     * @throws PlatformException of category UNAUTHENTICATED when the token is unknown, revoked or expired, or is a
     *     scrape token (which reads {@code /metrics} only)
     */
    public Caller authenticate(String token) {
        StoredToken stored = stored(token);
        if (stored.scope() != null) {
            throw new PlatformException(
                    ErrorCategory.UNAUTHENTICATED,
                    "this is a scrape token: it reads /metrics and nothing else; run 'emp login' for the API");
        }
        return new Caller(stored.username(), stored.role() == null ? Role.USER : stored.role());
    }

    /**
     * Who scrapes {@code /metrics} with this token: a scrape token's operator, while the account is still an enabled
     * operator, or a session's user.
     *
     * @throws PlatformException of category UNAUTHENTICATED when the token is unknown, revoked or expired, or its
     *     operator is no longer one
     */
    public Caller authenticateScrape(String token) {
        StoredToken stored = stored(token);
        if (stored.scope() == null) {
            return new Caller(stored.username(), stored.role() == null ? Role.USER : stored.role());
        }
        Optional<StoredAccount> account = account(stored.username());
        if (account.isEmpty()
                || account.get().disabledOrFalse()
                || account.get().roleOrUser() != Role.OPERATOR) {
            throw new PlatformException(
                    ErrorCategory.UNAUTHENTICATED,
                    "the scrape token's operator '" + stored.username()
                            + "' is no longer an enabled operator; ask an operator for a new one");
        }
        return new Caller(stored.username(), Role.OPERATOR);
    }

    private StoredToken stored(String token) {
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
        return stored;
    }

    /** Tokens for Prometheus, which {@link #authenticateScrape} takes and {@link #authenticate} refuses. */
    public ScrapeTokens scrapeTokens() {
        return scrapeTokens;
    }

    /** Revokes a token; revoking one that is already gone does nothing. */
    public void logout(String token, String username, String address) {
        String key = hash(token);
        store.get(TOKENS, key).ifPresent(entry -> deleteQuietly(key, entry.version()));
        audit.record("logout", username, address, "'" + username + "' logged out");
    }

    /** Every account, by name (operators only). */
    public List<AccountInfo> users() {
        return store.list(ACCOUNTS).stream()
                .map(entry -> JsonCodec.readStored(entry.value(), StoredAccount.class))
                .map(StoredAccount::info)
                .sorted(Comparator.comparing(AccountInfo::username))
                .toList();
    }

    /**
     * Disables or enables an account (operators only): a disabled one cannot log in, and every token it had is revoked
     * at once. An operator cannot disable themselves (the platform would have nobody to enable them).
     *
     * @throws PlatformException of category NOT_FOUND for no such user, INVALID for the caller's own account
     */
    public AccountInfo setDisabled(String username, boolean disabled, Caller operator, String address) {
        if (username.equals(operator.username()) && disabled) {
            throw PlatformException.invalid("username", "you cannot disable your own account; ask another operator");
        }
        for (int attempt = 0; ; attempt++) {
            Entry entry = store.get(ACCOUNTS, username)
                    .orElseThrow(() -> PlatformException.notFound("no user '" + TextField.shown(username) + "'"));
            StoredAccount account = JsonCodec.readStored(entry.value(), StoredAccount.class);
            StoredAccount changed = account.withDisabled(disabled);
            try {
                store.commit(Write.update(ACCOUNTS, username, JsonCodec.write(changed), entry.version()));
            } catch (VersionConflictException e) {
                if (attempt < 10) {
                    continue;
                }
                throw PlatformException.conflict("account '" + username + "' kept changing; try again");
            }
            if (disabled) {
                revokeAll(username);
            }
            audit.record(
                    disabled ? "disable" : "enable",
                    operator.username(),
                    address,
                    "'" + username + "' " + (disabled ? "disabled; its tokens revoked" : "enabled"));
            return changed.info();
        }
    }

    /** A new invite to create one account (operators only). */
    public Invite invite(Caller operator, String address) {
        String code = Secrets.next("emp_invite_");
        Instant expires = clock.instant().plus(INVITE_TTL);
        store.commit(Write.create(
                INVITES, hash(code), JsonCodec.write(new StoredInvite(operator.username(), clock.instant(), expires))));
        audit.record("invite", operator.username(), address, "an invite, good until " + expires);
        return new Invite(code, operator.username(), expires);
    }

    /**
     * The newest {@code limit} security events, oldest first, or the {@code limit} oldest after sequence number
     * {@code after} (operators only).
     */
    public List<AuditLog.AuditEvent> audit(int limit, Long after) {
        return after == null ? audit.tail(limit) : audit.after(after, limit);
    }

    private void revokeAll(String username) {
        for (Entry entry : store.list(TOKENS)) {
            StoredToken token = JsonCodec.readStored(entry.value(), StoredToken.class);
            if (token.username().equals(username)) {
                deleteQuietly(entry.key(), entry.version());
            }
        }
    }

    private boolean hasOperator() {
        return store.get(PLATFORM, FIRST_OPERATOR).isPresent();
    }

    private Optional<StoredAccount> account(String username) {
        if (username.isEmpty() || username.length() > 64) {
            return Optional.empty();
        }
        return store.get(ACCOUNTS, username).map(entry -> JsonCodec.readStored(entry.value(), StoredAccount.class));
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
                    "username '" + TextField.shown(username)
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

    /** An account as stored; {@code role} and {@code disabled} are null in accounts stored before they existed. */
    record StoredAccount(String username, String passwordHash, Instant createdAt, Role role, Boolean disabled) {
        Role roleOrUser() {
            return role == null ? Role.USER : role;
        }

        boolean disabledOrFalse() {
            return disabled != null && disabled;
        }

        StoredAccount withDisabled(boolean value) {
            return new StoredAccount(username, passwordHash, createdAt, role, value);
        }

        AccountInfo info() {
            return new AccountInfo(username, createdAt, roleOrUser(), disabledOrFalse());
        }
    }

    /**
     * A session as stored, with the role it was issued with (null in tokens stored before roles: a user's), and its
     * scope: null for a session, {@value #SCRAPE} for a scrape token.
     */
    record StoredToken(String username, Instant createdAt, Instant expiresAt, Role role, String scope) {
        StoredToken(String username, Instant createdAt, Instant expiresAt, Role role) {
            this(username, createdAt, expiresAt, role, null);
        }
    }

    record StoredInvite(String createdBy, Instant createdAt, Instant expiresAt) {}
}
