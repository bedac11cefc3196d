package emp.host.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.host.TestServer;
import emp.host.plugin.PluginHost;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.store.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Accounts and tokens on the real file store, with a clock the test moves. */
class AccountServiceTest {
    @TempDir
    Path dataDir;

    private PluginHost plugins;
    private StateStore store;
    private MovableClock clock;
    private AccountService accounts;

    @BeforeEach
    void setUp() {
        plugins = new PluginHost(TestServer.pluginsDir());
        plugins.load();
        store = TestServer.fileStore(plugins, dataDir);
        clock = new MovableClock(Instant.parse("2026-11-27T10:00:00Z"));
        accounts = new AccountService(store, clock, Duration.ofHours(24), 4);
    }

    @AfterEach
    void tearDown() {
        store.close();
        plugins.close();
    }

    @Test
    void tokensExpireAfterTheirLifetime() {
        accounts.create(new Credentials("frank", "correct horse"));
        Session session = accounts.login(new Credentials("frank", "correct horse"));
        assertThat(session.expiresAt()).isEqualTo(Instant.parse("2026-11-28T10:00:00Z"));
        clock.now = Instant.parse("2026-11-28T09:59:59Z");
        assertThat(accounts.authenticate(session.token())).isEqualTo("frank");
        clock.now = Instant.parse("2026-11-28T10:00:00Z");
        assertThatThrownBy(() -> accounts.authenticate(session.token()))
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.UNAUTHENTICATED))
                .hasMessageContaining("expired");
    }

    @Test
    void neitherPasswordsNorTokensAreStoredInClear() {
        accounts.create(new Credentials("gina", "correct horse"));
        Session session = accounts.login(new Credentials("gina", "correct horse"));
        String account =
                store.get(AccountService.ACCOUNTS, "gina").orElseThrow().value();
        assertThat(account).doesNotContain("correct horse").contains("$2a$");
        assertThat(store.list(AccountService.TOKENS))
                .noneMatch(entry ->
                        entry.key().contains(session.token()) || entry.value().contains(session.token()));
        assertThat(store.get(AccountService.TOKENS, AccountService.hash(session.token())))
                .isPresent();
    }

    @Test
    void logoutRevokesOnlyThatToken() {
        accounts.create(new Credentials("hal", "correct horse"));
        Session laptop = accounts.login(new Credentials("hal", "correct horse"));
        Session ci = accounts.login(new Credentials("hal", "correct horse"));
        accounts.logout(laptop.token());
        assertThatThrownBy(() -> accounts.authenticate(laptop.token())).hasMessageContaining("emp login");
        assertThat(accounts.authenticate(ci.token())).isEqualTo("hal");
        accounts.logout(laptop.token());
    }

    private static final class MovableClock extends Clock {
        Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
