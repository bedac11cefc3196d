package emp.store.redis;

import emp.spi.PluginConfig;
import emp.testsupport.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The Redis the tests share: the one at the environment variable REDIS_URL; else the one answering on
 * 127.0.0.1:6379; else a redis-server from the PATH that this JVM starts on a free port and kills when it exits. Each
 * test class keeps its keys under a prefix of its own and deletes them afterwards.
 */
final class TestRedis {
    private static String url;

    private TestRedis() {}

    static synchronized String url() {
        if (url == null) {
            url = find();
        }
        return url;
    }

    private static String find() {
        String url = RedisServer.shared();
        String problem = problem(url);
        if (problem != null) {
            throw new IllegalStateException("the tests' Redis at '" + RedisStoreConfig.masked(url)
                    + "' does not answer (" + problem + "); start that Redis, or unset REDIS_URL to test against"
                    + " 127.0.0.1:6379 or a redis-server of the tests' own");
        }
        return url;
    }

    /** Why Redis at {@code url} does not answer, or null when it does. */
    private static String problem(String url) {
        RedisStoreConfig config = config(url, "emp-test-probe:");
        try (RedisClient redis = client(config)) {
            redis.ping();
            return null;
        } catch (RuntimeException e) {
            return RedisStateStore.describe(e);
        }
    }

    /** A key prefix no other test class uses: {@code emp-test:<random>:}. */
    static String uniquePrefix() {
        return "emp-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    /** The shared Redis's configuration, with this prefix. */
    static RedisStoreConfig config(String prefix) {
        return config(url(), prefix);
    }

    static RedisStoreConfig config(String url, String prefix) {
        return RedisStoreConfig.from(new PluginConfig(RedisStoreConfig.SECTION, Map.of("url", url, "prefix", prefix)));
    }

    /** A plain Jedis client of the Redis and database that {@code config} names, to look behind the store's back. */
    static RedisClient client(RedisStoreConfig config) {
        DefaultJedisClientConfig.Builder connection = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(config.connectTimeoutMillis())
                .socketTimeoutMillis(config.socketTimeoutMillis())
                .database(config.database())
                .ssl(config.tls());
        if (config.password() != null) {
            connection.user(config.user()).password(config.password());
        }
        return RedisClient.builder()
                .hostAndPort(new HostAndPort(config.host(), config.port()))
                .clientConfig(connection.build())
                .build();
    }

    /** Every key that starts with {@code prefix}, in the database {@code config} names. */
    static List<String> keys(RedisStoreConfig config, String prefix) {
        List<String> keys = new ArrayList<>();
        try (RedisClient redis = client(config)) {
            ScanParams match = new ScanParams().match(glob(prefix) + "*").count(1000);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = redis.scan(cursor, match);
                keys.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return keys;
    }

    /** Deletes every key that starts with {@code prefix}, in the database {@code config} names. */
    static void deleteKeys(RedisStoreConfig config, String prefix) {
        List<String> keys = keys(config, prefix);
        if (!keys.isEmpty()) {
            try (RedisClient redis = client(config)) {
                redis.unlink(keys.toArray(String[]::new));
            }
        }
    }

    /** The text as a SCAN pattern that matches only itself. */
    private static String glob(String text) {
        StringBuilder pattern = new StringBuilder();
        for (char c : text.toCharArray()) {
            if ("*?[]\\^".indexOf(c) >= 0) {
                pattern.append('\\');
            }
            pattern.append(c);
        }
        return pattern.toString();
    }
}
