package emp.store.redis;

/** The PF4J plugin of the Redis store; all it brings is {@link RedisStateStoreFactory}. */
public final class RedisStorePlugin extends org.pf4j.Plugin {}
