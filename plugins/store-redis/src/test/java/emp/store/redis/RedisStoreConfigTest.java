package emp.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisStoreConfigTest {
    private static RedisStoreConfig bind(Map<String, String> values) {
        return RedisStoreConfig.from(new PluginConfig("store.redis", values));
    }

    private static RedisStoreConfig url(String url) {
        return bind(Map.of("url", url));
    }

    private static void assertInvalid(Map<String, String> values, String key, String... inMessage) {
        assertThatThrownBy(() -> bind(values))
                .as("binding %s", values)
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.field()).contains("store.redis." + key);
                    assertThat(e.getMessage())
                            .contains("'store.redis." + key + "'")
                            .contains(inMessage);
                });
    }

    @Test
    void defaultsAreTheLocalRedisWithPrefixEmp() {
        RedisStoreConfig config = bind(Map.of());

        assertThat(config)
                .isEqualTo(new RedisStoreConfig(
                        "127.0.0.1",
                        6379,
                        false,
                        null,
                        null,
                        0,
                        "emp:",
                        64,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5)));
        assertThat(config.url()).isEqualTo("redis://127.0.0.1:6379");
    }

    @Test
    void urlGivesHostPortUserPasswordAndDatabase() {
        RedisStoreConfig config = url("redis://alice:p%40ss:w%2Bx+@redis.example.com:6380/3");

        assertThat(config.host()).isEqualTo("redis.example.com");
        assertThat(config.port()).isEqualTo(6380);
        assertThat(config.tls()).isFalse();
        assertThat(config.user()).isEqualTo("alice");
        assertThat(config.password()).isEqualTo("p@ss:w+x+");
        assertThat(config.database()).isEqualTo(3);
        assertThat(config.url()).isEqualTo("redis://alice:****@redis.example.com:6380/3");
    }

    @Test
    void passwordAloneIsForTheDefaultUser() {
        RedisStoreConfig config = url("redis://:s3cret@10.0.0.5");

        assertThat(config.user()).isNull();
        assertThat(config.password()).isEqualTo("s3cret");
        assertThat(config.port()).isEqualTo(6379);
        assertThat(config.database()).isZero();
        assertThat(config.url()).isEqualTo("redis://:****@10.0.0.5:6379");
    }

    @Test
    void redissMeansTls() {
        RedisStoreConfig config = url("REDISS://cache.example.com/");

        assertThat(config.tls()).isTrue();
        assertThat(config.database()).isZero();
        assertThat(config.url()).isEqualTo("rediss://cache.example.com:6379");
    }

    @Test
    void ipv6AddressIsKeptWithoutBrackets() {
        RedisStoreConfig config = url("redis://[::1]:7000/1");

        assertThat(config.host()).isEqualTo("::1");
        assertThat(config.url()).isEqualTo("redis://[::1]:7000/1");
    }

    @Test
    void everyOtherKeyIsBound() {
        RedisStoreConfig config = bind(Map.of(
                "prefix", "emp-staging:",
                "pool-size", "4",
                "connect-timeout", "500ms",
                "socket-timeout", "PT10S"));

        assertThat(config.prefix()).isEqualTo("emp-staging:");
        assertThat(config.poolSize()).isEqualTo(4);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.socketTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void keysAreMatchedWithoutRegardToCaseOrSeparators() {
        RedisStoreConfig config = bind(Map.of("POOL_SIZE", "3", "Connect.Timeout", "1s", "URL", "redis://h:1"));

        assertThat(config.poolSize()).isEqualTo(3);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.url()).isEqualTo("redis://h:1");
    }

    @Test
    void passwordNeverShowsInToString() {
        RedisStoreConfig config = url("rediss://alice:s3cret-Pa55@redis.example.com:6380/2");

        assertThat(config.toString())
                .contains("rediss://alice:****@redis.example.com:6380/2")
                .doesNotContain("s3cret-Pa55");
    }

    @Test
    void unknownKeyIsRejectedByName() {
        assertInvalid(Map.of("pool", "4"), "pool", "pool-size", "url", "prefix");
    }

    @Test
    void urlThatIsNotARedisUrlIsRejectedByName() {
        List<String> bad = List.of(
                "http://127.0.0.1:6379",
                "127.0.0.1:6379",
                "redis://",
                "redis://:6379",
                "redis://my_host:6379",
                "redis://host:70000",
                "redis://host:port",
                "redis://host/db1",
                "redis://host/0/1",
                "redis://host/0?protocol=3",
                "redis://host#x",
                "redis://alice@host",
                "redis://alice:@host",
                "redis://:%zz@host",
                "redis://bad host");
        for (String url : bad) {
            assertInvalid(Map.of("url", url), "url", "expected redis://", "rediss://");
        }
    }

    @Test
    void badUrlNeverShowsItsPassword() {
        List<String> bad = List.of(
                "http://alice:s3cret-Pa55@host:6379",
                "redis://:s3cret-Pa55@bad host",
                "redis://:s3cret-Pa55@host:port",
                "redis://:s3cret-Pa55@host/db",
                "redis://alice:s3cret-Pa55@@host");
        for (String url : bad) {
            assertThatThrownBy(() -> url(url))
                    .as(url)
                    .isInstanceOfSatisfying(
                            PlatformException.class,
                            e -> assertThat(e.getMessage()).contains("****").doesNotContain("s3cret-Pa55"));
        }
    }

    @Test
    void poolSizeOutOfRangeIsRejectedByName() {
        for (String size : List.of("0", "-1", "many", "1025", "1.5")) {
            assertInvalid(Map.of("pool-size", size), "pool-size", "'" + size + "'", "an integer from 1 to 1024");
        }
    }

    @Test
    void timeoutThatIsNotAPositiveDurationIsRejectedByName() {
        for (String timeout : List.of("0s", "-1s", "soon", "25d", "PT0.0001S")) {
            assertInvalid(Map.of("connect-timeout", timeout), "connect-timeout", timeout);
            assertInvalid(Map.of("socket-timeout", timeout), "socket-timeout", timeout);
        }
    }

    @Test
    void blankValuesMeanTheDefaults() {
        assertThat(bind(Map.of("url", " ", "prefix", "", "pool-size", " "))).isEqualTo(bind(Map.of()));
    }
}
