package emp.store.redis;

import emp.spi.store.StateStore;
import emp.tck.store.AbstractStoreCommitsTck;
import emp.tck.store.AbstractStoreConcurrencyTck;
import emp.tck.store.AbstractStoreEntriesTck;
import emp.tck.store.AbstractStoreLifecycleTck;
import emp.tck.store.AbstractStoreLogsTck;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;

/**
 * The state-store conformance kit, suite by suite, run against the tests' Redis. Each test's store has a key prefix
 * of its own, so it starts empty; a reopened store has the same prefix, so it sees the same data. Every prefix is
 * under this class's, whose keys are deleted once all the suites have run.
 */
class RedisStateStoreTest {
    private static final String PREFIX = TestRedis.uniquePrefix();
    private static final AtomicInteger STORES = new AtomicInteger();

    private String prefix;

    private StateStore storeUnderANewPrefix() {
        prefix = PREFIX + STORES.incrementAndGet() + ":";
        return new RedisStateStore(TestRedis.config(prefix));
    }

    private StateStore storeUnderTheSamePrefix() {
        return new RedisStateStore(TestRedis.config(prefix));
    }

    @AfterAll
    static void deleteKeys() {
        TestRedis.deleteKeys(TestRedis.config(PREFIX), PREFIX);
    }

    @Nested
    class Entries extends AbstractStoreEntriesTck {
        @Override
        protected StateStore newStore() {
            return storeUnderANewPrefix();
        }
    }

    @Nested
    class Commits extends AbstractStoreCommitsTck {
        @Override
        protected StateStore newStore() {
            return storeUnderANewPrefix();
        }
    }

    @Nested
    class Logs extends AbstractStoreLogsTck {
        @Override
        protected StateStore newStore() {
            return storeUnderANewPrefix();
        }
    }

    @Nested
    class Concurrency extends AbstractStoreConcurrencyTck {
        @Override
        protected StateStore newStore() {
            return storeUnderANewPrefix();
        }
    }

    @Nested
    class Lifecycle extends AbstractStoreLifecycleTck {
        @Override
        protected StateStore newStore() {
            return storeUnderANewPrefix();
        }

        @Override
        protected StateStore reopen() {
            return storeUnderTheSamePrefix();
        }
    }
}
