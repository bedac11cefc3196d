package emp.store.redis;

import emp.spi.store.StateStore;
import emp.tck.store.AbstractStateStoreTck;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * The state-store conformance kit, run against the tests' Redis. Each test's store has a key prefix of its own, so
 * it starts empty; a reopened store has the same prefix, so it sees the same data.
 */
class RedisStateStoreTest extends AbstractStateStoreTck {
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
