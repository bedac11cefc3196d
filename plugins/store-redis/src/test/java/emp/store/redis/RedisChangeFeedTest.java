package emp.store.redis;

import emp.spi.store.StateStore;
import emp.tck.store.AbstractChangeFeedTck;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/** The change-feed kit against the real Redis, each test under a prefix of its own: the stream of changes. */
class RedisChangeFeedTest extends AbstractChangeFeedTck {
    private static final String PREFIX = TestRedis.uniquePrefix();
    private static final AtomicInteger STORES = new AtomicInteger();

    private String prefix;

    @Override
    protected StateStore newStore() {
        prefix = PREFIX + STORES.incrementAndGet() + ":";
        return new RedisStateStore(TestRedis.config(prefix));
    }

    @Override
    protected StateStore reopen() {
        return new RedisStateStore(TestRedis.config(prefix));
    }

    @AfterAll
    static void deleteKeys() {
        TestRedis.deleteKeys(TestRedis.config(PREFIX), PREFIX);
    }
}
