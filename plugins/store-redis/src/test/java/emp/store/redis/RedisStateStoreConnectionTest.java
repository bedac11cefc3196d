package emp.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import emp.spi.store.StateStore;
import emp.spi.store.Write;
import emp.testsupport.RedisServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connecting: credentials, a user limited to the prefix's keys, TLS, and a Redis that is not there. Runs a
 * redis-server of its own, with an ACL user {@code alice} who may touch only keys starting with {@code emp-acl:}.
 */
class RedisStateStoreConnectionTest {
    private static final String PASSWORD = "Alice-Pa55-7f3c";
    private static final String ALLOWED = "emp-acl:";

    @TempDir
    static Path dir;

    private static RedisServer redis;

    private final List<StateStore> opened = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start(dir, "--user", "alice", "on", ">" + PASSWORD, "~" + ALLOWED + "*", "+@all");
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @AfterEach
    void closeStores() {
        opened.forEach(StateStore::close);
    }

    private RedisStateStore store(Map<String, String> values) {
        RedisStateStore store = new RedisStateStore(RedisStoreConfig.from(new PluginConfig("store.redis", values)));
        opened.add(store);
        return store;
    }

    private String url(String credentials) {
        return "redis://" + credentials + "@127.0.0.1:" + redis.port();
    }

    @Test
    void userLimitedToThePrefixKeysCanDoEverything() {
        RedisStateStore store = store(Map.of("url", url("alice:" + PASSWORD), "prefix", ALLOWED));
        store.start();

        store.commit(List.of(Write.create("apps", "a", "a1"), Write.create("leases", "leader", "me")));
        assertThat(store.commit(List.of(Write.check("leases", "leader", 1), Write.update("apps", "a", "a2", 1))))
                .containsExactly(1L, 2L);
        assertThat(store.list("apps")).containsExactly(new Entry("apps", "a", "a2", 2));
        for (int i = 1; i <= 4; i++) {
            store.append("events", "record " + i, 3);
        }
        assertThat(store.read("events", 0, 10)).extracting(LogRecord::sequence).containsExactly(2L, 3L, 4L);
        assertThat(store.tail("events", 1)).containsExactly(new LogRecord(4, "record 4"));
        store.deleteLog("events");
        assertThat(store.append("events", "again", 3)).isEqualTo(1);
        assertThat(store.check().healthy()).isTrue();
        assertThat(store.check().detail()).contains("redis://alice:****@127.0.0.1:" + redis.port());
    }

    @Test
    void wrongPasswordFailsNamingTheUrlButNotThePassword() {
        RedisStateStore store = store(Map.of("url", url("alice:not-" + PASSWORD), "prefix", ALLOWED));

        assertThatThrownBy(store::start).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
            assertThat(e.getMessage())
                    .contains("redis://alice:****@127.0.0.1:" + redis.port(), "user and password", "store.redis.url")
                    .doesNotContain(PASSWORD);
        });
        Health health = store.check();
        assertThat(health.healthy()).isFalse();
        assertThat(health.detail()).contains("user and password").doesNotContain(PASSWORD);
    }

    @Test
    void prefixTheUserMayNotTouchFailsAtStartNamingThePrefix() {
        RedisStateStore store = store(Map.of("url", url("alice:" + PASSWORD), "prefix", "emp:"));

        assertThatThrownBy(store::start).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
            assertThat(e.getMessage()).contains("keys starting with 'emp:'").doesNotContain(PASSWORD);
        });
    }

    @Test
    void tlsToARedisWithoutTlsFails() {
        RedisStateStore store = store(Map.of(
                "url",
                "rediss://alice:" + PASSWORD + "@127.0.0.1:" + redis.port(),
                "prefix",
                ALLOWED,
                "connect-timeout",
                "500ms",
                "socket-timeout",
                "500ms"));

        assertThatThrownBy(store::start).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
            assertThat(e.getMessage())
                    .contains("rediss://alice:****@127.0.0.1:" + redis.port(), "unreachable", "serves TLS")
                    .doesNotContain(PASSWORD);
        });
    }

    @Test
    void redisThatIsNotThereFailsEveryMethodClearlyAndCheckSaysSo() {
        int port = RedisServer.freePort();
        RedisStateStore store = store(Map.of("url", "redis://:" + PASSWORD + "@127.0.0.1:" + port));
        String url = "redis://:****@127.0.0.1:" + port;

        assertUnavailable(store::start, url);
        assertUnavailable(() -> store.get("apps", "k"), url);
        assertUnavailable(() -> store.commit(Write.create("apps", "k", "v")), url);
        assertUnavailable(() -> store.append("log", "v", 10), url);
        Health health = store.check();
        assertThat(health.healthy()).isFalse();
        assertThat(health.detail())
                .contains(url, "unreachable", "Connection refused")
                .doesNotContain(PASSWORD);
    }

    static void assertUnavailable(Runnable call, String url) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.UNAVAILABLE);
            assertThat(e.getMessage())
                    .contains(
                            "the Redis state store at " + url + " is unreachable",
                            "check that Redis runs",
                            "'store.redis.url'")
                    .doesNotContain(PASSWORD);
        });
    }
}
