package emp.store.redis;

import emp.spi.PluginContext;
import emp.spi.store.StateStore;
import emp.spi.store.StateStoreFactory;
import org.pf4j.Extension;

/**
 * Makes the Redis store, chosen by {@code store.use: redis}. Its configuration section is {@code store.redis} (see
 * {@link RedisStoreConfig}): the server's URL, with credentials and database index, and the key prefix.
 */
@Extension
public final class RedisStateStoreFactory implements StateStoreFactory {
    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String description() {
        return "Redis server, which several EMP servers can share (set store.redis.url)";
    }

    /** Binds {@code store.redis}; does no I/O. */
    @Override
    public StateStore create(PluginContext context) {
        return new RedisStateStore(RedisStoreConfig.from(context.config()));
    }
}
