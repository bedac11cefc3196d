package emp.host.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.host.TestServer;
import emp.host.plugin.PluginHost;
import emp.host.testing.MovableClock;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.store.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
        accounts = accounts(SignupPolicy.INVITE);
    }

    private AccountService accounts(SignupPolicy policy) {
        return new AccountService(store, clock, Duration.ofHours(24), 4, policy, new AuditLog(store, clock, 1000));
    }

    @AfterEach
    void tearDown() {
        store.close();
        plugins.close();
    }

    /** The platform's first account, made on the server's own machine: its operator. */
    private Caller operator(String name) {
        AccountInfo made = accounts.create(signUp(name, null, null), "127.0.0.1", true);
        assertThat(made.role()).isEqualTo(Role.OPERATOR);
        return new Caller(name, Role.OPERATOR);
    }

    private static SignUp signUp(String name, String invite, String setupToken) {
        return new SignUp(name, "correct horse", invite, setupToken);
    }

    private static Credentials credentials(String name) {
        return new Credentials(name, "correct horse");
    }

    @Test
    void tokensExpireAfterTheirLifetime() {
        operator("frank");
        Session session = accounts.login(credentials("frank"), null);
        assertThat(session.expiresAt()).isEqualTo(Instant.parse("2026-11-28T10:00:00Z"));
        clock.set(Instant.parse("2026-11-28T09:59:59Z"));
        assertThat(accounts.authenticate(session.token())).isEqualTo(new Caller("frank", Role.OPERATOR));
        clock.set(Instant.parse("2026-11-28T10:00:00Z"));
        assertThatThrownBy(() -> accounts.authenticate(session.token()))
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.UNAUTHENTICATED))
                .hasMessageContaining("expired");
    }

    @Test
    void neitherPasswordsNorTokensNorInvitesAreStoredInClear() {
        Caller gina = operator("gina");
        Session session = accounts.login(credentials("gina"), null);
        Invite invite = accounts.invite(gina, null);
        String account =
                store.get(AccountService.ACCOUNTS, "gina").orElseThrow().value();
        assertThat(account).doesNotContain("correct horse").contains("$2a$");
        assertThat(store.list(AccountService.TOKENS))
                .noneMatch(entry ->
                        entry.key().contains(session.token()) || entry.value().contains(session.token()));
        assertThat(store.get(AccountService.TOKENS, AccountService.hash(session.token())))
                .isPresent();
        assertThat(store.list(AccountService.INVITES))
                .singleElement()
                .satisfies(entry -> assertThat(entry.key() + entry.value()).doesNotContain(invite.code()));
    }

    @Test
    void logoutRevokesOnlyThatToken() {
        operator("hal");
        Session laptop = accounts.login(credentials("hal"), null);
        Session ci = accounts.login(credentials("hal"), null);
        accounts.logout(laptop.token(), "hal", null);
        assertThatThrownBy(() -> accounts.authenticate(laptop.token())).hasMessageContaining("emp login");
        assertThat(accounts.authenticate(ci.token()).username()).isEqualTo("hal");
        accounts.logout(laptop.token(), "hal", null);
    }

    @Test
    void theFirstAccountFromAfarNeedsTheSetupTokenAndBecomesTheOperator() {
        assertThatThrownBy(() -> accounts.create(signUp("ivy", null, null), "10.0.0.9", false))
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.FORBIDDEN))
                .hasMessageContaining("setup token");
        assertThatThrownBy(() -> accounts.create(signUp("ivy", null, "wrong"), "10.0.0.9", false))
                .hasMessageContaining("setup token");
        String setup = accounts.setupToken().orElseThrow();

        AccountInfo ivy = accounts.create(signUp("ivy", null, setup), "10.0.0.9", false);

        assertThat(ivy.role()).isEqualTo(Role.OPERATOR);
        assertThat(accounts.setupToken()).isEmpty();
        assertThat(accounts(SignupPolicy.INVITE).setupToken())
                .as("a server started later has no setup token either")
                .isEmpty();
        assertThatThrownBy(() -> accounts.create(signUp("jay", null, setup), "127.0.0.1", true))
                .as("after the first, a local account is no operator and still needs an invite")
                .hasMessageContaining("takes an invite");
    }

    @Test
    void signUpTakesAnInviteOnceAndOnlyBeforeItExpires() {
        Caller kim = operator("kim");
        Invite invite = accounts.invite(kim, "127.0.0.1");

        AccountInfo lee = accounts.create(signUp("lee", invite.code(), null), "10.0.0.7", false);

        assertThat(lee.role()).isEqualTo(Role.USER);
        assertThatThrownBy(() -> accounts.create(signUp("max", invite.code(), null), "10.0.0.7", false))
                .as("used")
                .hasMessageContaining("not valid");
        Invite later = accounts.invite(kim, null);
        clock.advance(AccountService.INVITE_TTL);
        assertThatThrownBy(() -> accounts.create(signUp("max", later.code(), null), null, false))
                .as("expired")
                .hasMessageContaining("not valid");
        assertThat(store.get(AccountService.ACCOUNTS, "max")).isEmpty();
    }

    @Test
    void openAndClosedSignUp() {
        operator("ned");
        accounts(SignupPolicy.OPEN).create(signUp("ola", null, null), null, false);
        assertThatThrownBy(() -> accounts(SignupPolicy.CLOSED).create(signUp("pam", null, null), null, false))
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.FORBIDDEN))
                .hasMessageContaining("closed");
        assertThat(accounts.users()).extracting(AccountInfo::username).containsExactly("ned", "ola");
    }

    @Test
    void aDisabledUserCannotLogInAndLosesEveryToken() {
        Caller quinn = operator("quinn");
        accounts(SignupPolicy.OPEN).create(signUp("rae", null, null), null, false);
        Session session = accounts.login(credentials("rae"), null);

        accounts.setDisabled("rae", true, quinn, null);

        assertThatThrownBy(() -> accounts.authenticate(session.token())).hasMessageContaining("not valid");
        assertThatThrownBy(() -> accounts.login(credentials("rae"), null))
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.FORBIDDEN))
                .hasMessageContaining("disabled");
        assertThatThrownBy(() -> accounts.setDisabled("quinn", true, quinn, null))
                .hasMessageContaining("your own account");
        accounts.setDisabled("rae", false, quinn, null);
        assertThat(accounts.login(credentials("rae"), null).username()).isEqualTo("rae");
        assertThat(accounts.audit(100, null))
                .extracting(AuditLog.AuditEvent::type)
                .containsSubsequence("signup", "signup", "login", "disable", "login-failed", "enable", "login");
    }

    @Test
    void failedLoginsSlowDownThatUsernameAndThatAddressNotOthers() {
        operator("sam");
        Credentials wrong = new Credentials("sam", "wrong horse!");
        for (int i = 0; i < LoginThrottle.FREE; i++) {
            assertThatThrownBy(() -> accounts.login(wrong, "10.0.0.1")).hasMessage("wrong username or password");
        }
        assertThatThrownBy(() -> accounts.login(credentials("sam"), "10.0.0.2"))
                .as("the right password too waits, for this username")
                .isInstanceOfSatisfying(
                        Throttled.class, e -> assertThat(e.retryAfterSeconds()).isBetween(1L, 2L));
        assertThatThrownBy(() -> accounts.login(new Credentials("nobody", "x"), "10.0.0.1"))
                .as("and this address waits, whatever the username")
                .isInstanceOf(Throttled.class);

        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> accounts.login(wrong, "10.0.0.3")).hasMessage("wrong username or password");
        assertThatThrownBy(() -> accounts.login(credentials("sam"), "10.0.0.3"))
                .as("each failure past the free ones doubles the wait")
                .isInstanceOfSatisfying(
                        Throttled.class, e -> assertThat(e.retryAfterSeconds()).isBetween(2L, 3L));
        clock.advance(Duration.ofSeconds(3));
        assertThat(accounts.login(credentials("sam"), "10.0.0.3").username()).isEqualTo("sam");
        assertThat(accounts.audit(100, null))
                .extracting(AuditLog.AuditEvent::type)
                .contains("login-throttled");
    }
}
