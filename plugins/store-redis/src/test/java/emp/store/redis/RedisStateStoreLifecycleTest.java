package emp.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.Health;
import emp.spi.PlatformException;
import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import emp.spi.store.StateStore;
import emp.spi.store.Write;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** What the kit does not cover: keys and prefixes, databases, scripts Redis forgot, and the store's own lifecycle. */
class RedisStateStoreLifecycleTest {
    private static final String PREFIX = TestRedis.uniquePrefix();

    private final List<StateStore> opened = new ArrayList<>();

    private RedisStateStore started(RedisStoreConfig config) {
        RedisStateStore store = new RedisStateStore(config);
        opened.add(store);
        store.start();
        return store;
    }

    private RedisStateStore started(String prefix) {
        return started(TestRedis.config(PREFIX + prefix));
    }

    @AfterEach
    void closeStores() {
        opened.forEach(StateStore::close);
    }

    @AfterAll
    static void deleteKeys() {
        RedisStoreConfig config = TestRedis.config(PREFIX);
        TestRedis.deleteKeys(config, PREFIX);
        for (int database : List.of(1, 2)) {
            TestRedis.deleteKeys(inDatabase(config, database), PREFIX);
        }
    }

    @Test
    void storesWithDifferentPrefixesNeverSeeEachOther() {
        // Each prefix extends the one before it with what follows a prefix in the store's own keys: without escaping
        // the names, "entries:x" under "a:" and "x" under "a:entries:" would be one and the same Redis key.
        RedisStateStore a = started("a");
        RedisStateStore colon = started("a:");
        RedisStateStore entries = started("a:entries:");
        RedisStateStore log = started("a:log:");
        List<RedisStateStore> all = List.of(a, colon, entries, log);

        for (RedisStateStore store : all) {
            assertThat(store.commit(Write.create("apps", "k", "in " + store))).isEqualTo(1);
            assertThat(store.append("events", "in " + store, 10)).isEqualTo(1);
        }
        assertThat(colon.commit(Write.create("entries:x", "k", "colon's entries:x")))
                .isEqualTo(1);
        assertThat(entries.commit(Write.create("x", "k", "entries' x"))).isEqualTo(1);
        assertThat(colon.append("log:events", "colon's log:events", 10)).isEqualTo(1);
        assertThat(log.append("events", "log's second", 10)).isEqualTo(2);

        for (RedisStateStore store : all) {
            assertThat(store.list("apps")).containsExactly(new Entry("apps", "k", "in " + store, 1));
        }
        assertThat(colon.list("entries:x")).containsExactly(new Entry("entries:x", "k", "colon's entries:x", 1));
        assertThat(entries.list("x")).containsExactly(new Entry("x", "k", "entries' x", 1));
        assertThat(colon.list("x")).isEmpty();
        assertThat(entries.list("entries:x")).isEmpty();
        assertThat(colon.tail("log:events", 10)).containsExactly(new LogRecord(1, "colon's log:events"));
        assertThat(log.tail("events", 10)).extracting(LogRecord::value).containsExactly("in " + log, "log's second");
        assertThat(colon.tail("events", 10)).containsExactly(new LogRecord(1, "in " + colon));

        a.deleteLog("events");
        a.commit(Write.delete("apps", "k", 1));
        assertThat(colon.get("apps", "k")).map(Entry::version).contains(1L);
        assertThat(colon.tail("events", 10)).hasSize(1);
    }

    @Test
    void namesWithColonsAndPercentsAreKeptApart() {
        RedisStateStore store = started("names:");
        List<String> names = List.of("a:b", "a%3Ab", "a%253Ab", "a%", "%", ":", "a::b");
        for (String name : names) {
            store.commit(Write.create(name, "k", "collection " + name));
            store.append(name, "log " + name, 10);
        }

        for (String name : names) {
            assertThat(store.list(name)).as(name).containsExactly(new Entry(name, "k", "collection " + name, 1));
            assertThat(store.tail(name, 10)).as(name).containsExactly(new LogRecord(1, "log " + name));
        }
    }

    @Test
    void databasesOfOneRedisAreApart() {
        RedisStoreConfig base = TestRedis.config(PREFIX + "db:");
        RedisStateStore one = started(inDatabase(base, 1));
        RedisStateStore two = started(inDatabase(base, 2));

        one.commit(Write.create("apps", "k", "in database 1"));

        assertThat(two.get("apps", "k")).isEmpty();
        assertThat(two.commit(Write.create("apps", "k", "in database 2"))).isEqualTo(1);
        assertThat(one.get("apps", "k")).map(Entry::value).contains("in database 1");
        assertThat(TestRedis.keys(inDatabase(base, 1), PREFIX + "db:"))
                .containsExactlyInAnyOrder(PREFIX + "db:entries:apps", PREFIX + "db:changes:entries");
    }

    @Test
    void scriptsRedisForgotAreLoadedAgain() {
        RedisStateStore store = started("scripts:");
        store.commit(Write.create("apps", "k", "v1"));
        store.append("log", "first", 10);

        try (RedisClient redis = TestRedis.client(TestRedis.config(PREFIX))) {
            redis.scriptFlush();
        }

        assertThat(store.commit(Write.update("apps", "k", "v2", 1))).isEqualTo(2);
        assertThat(store.append("log", "second", 10)).isEqualTo(2);
    }

    @Test
    void listOrdersKeysBeyondTheBasicPlaneByCodePoint() {
        RedisStateStore store = started("order:");
        // String.compareTo puts the emoji (a surrogate pair, 0xD83D...) before U+E000; its code point is the largest.
        List<String> byCodePoint = List.of("z", "\uE000", "\uFFFD", "😀", "😀a");
        for (String key : List.of("😀a", "\uFFFD", "z", "😀", "\uE000")) {
            store.commit(Write.create("apps", key, key));
        }

        assertThat(store.list("apps")).extracting(Entry::key).containsExactlyElementsOf(byCodePoint);
    }

    @Test
    void entryAnotherProgramWroteFailsNamingThePrefix() {
        RedisStateStore store = started("foreign:");
        try (RedisClient redis = TestRedis.client(TestRedis.config(PREFIX))) {
            redis.hset(PREFIX + "foreign:entries:apps", "k", "not versioned");
            redis.set(PREFIX + "foreign:entries:accounts", "a string");
        }

        for (Runnable call : List.<Runnable>of(
                () -> store.get("apps", "k"),
                () -> store.commit(Write.update("apps", "k", "v", Write.ANY)),
                () -> store.list("accounts"))) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(PlatformException.class, e -> {
                assertThat(e.category()).isEqualTo(ErrorCategory.INTERNAL);
                assertThat(e.getMessage()).contains("'" + PREFIX + "foreign:'", "store.redis.prefix");
            });
        }
    }

    @Test
    void storeIsUsableOnlyBetweenStartAndClose() {
        RedisStateStore store = new RedisStateStore(TestRedis.config(PREFIX + "lifecycle:"));
        opened.add(store);

        assertThatThrownBy(() -> store.get("apps", "k")).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INTERNAL);
            assertThat(e.getMessage()).contains("not started", "start()");
        });
        assertThat(store.check()).extracting(Health::healthy).isEqualTo(false);

        store.start();
        store.start();
        store.commit(Write.create("apps", "k", "v"));
        Health health = store.check();
        assertThat(health.healthy()).isTrue();
        assertThat(health.detail()).contains(TestRedis.config(PREFIX).url(), PREFIX + "lifecycle:");

        store.close();
        store.close();
        assertThatThrownBy(() -> store.get("apps", "k")).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INTERNAL);
            assertThat(e.getMessage()).contains("closed");
        });
        assertThatThrownBy(store::start).isInstanceOf(PlatformException.class);
        assertThat(store.check().healthy()).isFalse();
        assertThat(store.check().detail()).contains("closed");
    }

    private static RedisStoreConfig inDatabase(RedisStoreConfig config, int database) {
        return new RedisStoreConfig(
                config.host(),
                config.port(),
                config.tls(),
                config.user(),
                config.password(),
                database,
                config.prefix(),
                config.poolSize(),
                config.connectTimeout(),
                config.socketTimeout());
    }
}
