package emp.store.redis;

import static emp.store.redis.RedisStateStoreConnectionTest.assertUnavailable;
import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.Health;
import emp.spi.PluginConfig;
import emp.spi.store.Entry;
import emp.spi.store.LogRecord;
import emp.spi.store.Write;
import emp.testsupport.RedisServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis killed under a working store, and started again. The redis-server is the test's own, writing an append-only
 * file with {@code appendfsync always} in a temporary folder, so everything Redis acknowledged survives the kill.
 */
class RedisStateStoreOutageTest {
    @TempDir
    Path dir;

    private RedisServer redis;
    private RedisStateStore store;

    @AfterEach
    void stop() {
        if (store != null) {
            store.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void storeFailsClearlyWhileRedisIsDownAndWorksAgainWithNothingAcknowledgedLost() {
        redis = RedisServer.start(dir, "--appendonly", "yes", "--appendfsync", "always");
        store = new RedisStateStore(RedisStoreConfig.from(
                new PluginConfig("store.redis", Map.of("url", redis.url(), "prefix", "emp-outage:"))));
        store.start();
        store.commit(Write.create("apps", "alice/songs", "v1"));
        store.commit(List.of(Write.update("apps", "alice/songs", "v2", 1), Write.create("accounts", "alice", "a1")));
        for (int i = 1; i <= 4; i++) {
            store.append("events/alice/songs", "record " + i, 3);
        }

        // A crash and a restart with no call in between: the pool still holds connections to the dead server.
        redis.kill();
        redis.start();

        assertThat(store.commit(Write.update("apps", "alice/songs", "v3", 2))).isEqualTo(3);
        assertThat(store.append("events/alice/songs", "record 5", 3)).isEqualTo(5);

        // Down for a while: every method fails the same clear way, and the health check says so without throwing.
        redis.kill();

        assertUnavailable(() -> store.get("apps", "alice/songs"), redis.url());
        assertUnavailable(() -> store.list("apps"), redis.url());
        assertUnavailable(() -> store.commit(Write.update("apps", "alice/songs", "lost", 3)), redis.url());
        assertUnavailable(() -> store.commit(Write.check("accounts", "alice", 1)), redis.url());
        assertUnavailable(() -> store.append("events/alice/songs", "lost", 3), redis.url());
        assertUnavailable(() -> store.read("events/alice/songs", 0, 10), redis.url());
        assertUnavailable(() -> store.tail("events/alice/songs", 10), redis.url());
        assertUnavailable(() -> store.deleteLog("events/alice/songs"), redis.url());
        Health health = store.check();
        assertThat(health.healthy()).isFalse();
        assertThat(health.detail()).contains(redis.url(), "unreachable");

        redis.start();

        assertThat(store.check().healthy()).isTrue();
        assertThat(store.get("apps", "alice/songs")).contains(new Entry("apps", "alice/songs", "v3", 3));
        assertThat(store.list("accounts")).containsExactly(new Entry("accounts", "alice", "a1", 1));
        assertThat(store.tail("events/alice/songs", 10))
                .containsExactly(
                        new LogRecord(3, "record 3"), new LogRecord(4, "record 4"), new LogRecord(5, "record 5"));
        assertThat(store.commit(
                        List.of(Write.check("accounts", "alice", 1), Write.update("apps", "alice/songs", "v4", 3))))
                .containsExactly(1L, 4L);
        assertThat(store.append("events/alice/songs", "record 6", 3)).isEqualTo(6);
    }
}
