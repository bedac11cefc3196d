package emp.host.auth;

import emp.host.JsonCodec;
import emp.host.apps.TextField;
import emp.spi.PlatformException;
import emp.spi.store.Entry;
import emp.spi.store.StateStore;
import emp.spi.store.VersionConflictException;
import emp.spi.store.Write;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokens for Prometheus (operators only): one reads {@code /metrics} with every app's figures and nothing else
 * ({@link AccountService#authenticateScrape}; every other route refuses it), lasts days rather than a session's day,
 * and is listed and revoked by its id. Disabling its operator, or their no longer being one, ends it. It is kept as a
 * session is (its hash in {@value AccountService#TOKENS}, with scope {@value AccountService#SCRAPE}), and indexed by id
 * in {@value #SCRAPE_TOKENS} without its secret.
 */
public final class ScrapeTokens {
    static final String SCRAPE_TOKENS = "scrape-tokens";
    private static final int ID_LENGTH = 12;

    private final StateStore store;
    private final Clock clock;
    private final AuditLog audit;

    ScrapeTokens(StateStore store, Clock clock, AuditLog audit) {
        this.store = store;
        this.clock = clock;
        this.audit = audit;
    }

    /** A new token, with its secret: the only time it is shown. */
    public ScrapeToken create(Caller operator, Duration lifetime, String address) {
        String token = Secrets.next("emp_scrape_");
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        String key = AccountService.hash(token);
        String id = key.substring(0, ID_LENGTH);
        store.commit(List.of(
                Write.create(
                        AccountService.TOKENS,
                        key,
                        JsonCodec.write(new AccountService.StoredToken(
                                operator.username(), now, expires, Role.OPERATOR, AccountService.SCRAPE))),
                Write.create(
                        SCRAPE_TOKENS,
                        id,
                        JsonCodec.write(new StoredScrapeToken(key, operator.username(), now, expires)))));
        audit.record("scrape-token", operator.username(), address, "scrape token " + id + ", good until " + expires);
        return new ScrapeToken(id, token, operator.username(), now, expires);
    }

    /** The tokens not expired, without their secrets. */
    public List<ScrapeToken> list() {
        Instant now = clock.instant();
        return store.list(SCRAPE_TOKENS).stream()
                .map(entry -> JsonCodec.readStored(entry.value(), StoredScrapeToken.class)
                        .shown(entry.key()))
                .filter(token -> now.isBefore(token.expiresAt()))
                .toList();
    }

    /**
     * Revokes a token by its id.
     *
     * @throws PlatformException of category NOT_FOUND for no such token
     */
    public void revoke(String id, Caller operator, String address) {
        Entry index = store.get(SCRAPE_TOKENS, id)
                .orElseThrow(() -> PlatformException.notFound(
                        "no scrape token '" + TextField.shown(id) + "'; 'emp scrape-tokens list' shows them"));
        List<Write> writes = new ArrayList<>();
        writes.add(Write.delete(SCRAPE_TOKENS, id, index.version()));
        String key =
                JsonCodec.readStored(index.value(), StoredScrapeToken.class).hash();
        store.get(AccountService.TOKENS, key)
                .ifPresent(entry -> writes.add(Write.delete(AccountService.TOKENS, key, entry.version())));
        try {
            store.commit(writes);
        } catch (VersionConflictException e) {
            throw PlatformException.conflict("scrape token '" + id + "' changed meanwhile; try again");
        }
        audit.record("scrape-token-revoked", operator.username(), address, "scrape token " + id + " revoked");
    }

    /** A token's entry in {@value #SCRAPE_TOKENS}: the hash that is its key among the sessions. */
    record StoredScrapeToken(String hash, String createdBy, Instant createdAt, Instant expiresAt) {
        ScrapeToken shown(String id) {
            return new ScrapeToken(id, null, createdBy, createdAt, expiresAt);
        }
    }
}
