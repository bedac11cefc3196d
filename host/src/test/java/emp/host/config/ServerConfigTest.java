package emp.host.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.PlatformException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaults() {
        ServerConfig config = ServerConfig.load(null, Map.of(), Map.of());
        assertThat(config.string(HostKey.API_HOST)).isEqualTo("127.0.0.1");
        assertThat(config.integer(HostKey.API_PORT, 0, 65535)).isEqualTo(7070);
        assertThat(config.string(HostKey.CLUSTER)).isEqualTo("local");
        assertThat(config.string(HostKey.STORE)).isEqualTo("file");
        assertThat(config.string(HostKey.TRACING)).isEqualTo("http");
        assertThat(config.string(HostKey.SCHEDULER)).isEqualTo("none");
        assertThat(config.duration(HostKey.RECONCILE_INTERVAL)).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.duration(HostKey.TOKEN_TTL)).isEqualTo(Duration.ofHours(24));
        assertThat(config.integer(HostKey.BCRYPT_COST, 4, 31)).isEqualTo(10);
        assertThat(config.integer(HostKey.EVENTS_KEPT, 1, 100_000)).isEqualTo(1000);
        assertThat(config.raw(HostKey.DATA_DIR)).isEmpty();
        assertThat(config.raw(HostKey.PLUGINS_DIR)).isEmpty();
    }

    @Test
    void everyHostKeyCanBeSet() {
        Map<String, String> values = new LinkedHashMap<>();
        for (HostKey key : HostKey.values()) {
            values.put(key.key(), "v-" + key.name());
        }
        ServerConfig config = ServerConfig.load(null, Map.of(), values);
        for (HostKey key : HostKey.values()) {
            assertThat(config.string(key)).isEqualTo("v-" + key.name());
        }
    }

    @Test
    void flagsOverrideEnvironmentWhichOverridesTheFile() throws Exception {
        Path yaml = dir.resolve("emp.yaml");
        Files.writeString(yaml, """
                api:
                  port: 7000
                  host: 0.0.0.0
                store:
                  use: redis
                  redis:
                    url: redis://file
                    key-prefix: file
                """);
        ServerConfig config = ServerConfig.load(
                yaml,
                Map.of(
                        "EMP_API_PORT",
                        "7100",
                        "EMP_STORE_REDIS_URL",
                        "redis://env",
                        "EMP_HOME",
                        "/ignored",
                        "PATH",
                        "/bin"),
                Map.of("api.port", "7200"));
        assertThat(config.integer(HostKey.API_PORT, 0, 65535)).isEqualTo(7200);
        assertThat(config.string(HostKey.API_HOST)).isEqualTo("0.0.0.0");
        assertThat(config.string(HostKey.STORE)).isEqualTo("redis");
        assertThat(config.pluginSection("store", "redis").get("url")).contains("redis://env");
        assertThat(config.pluginSection("store", "redis").get("key-prefix")).contains("file");
        assertThat(config.pluginSection("store", "file").values()).isEmpty();
        assertThat(config.describe()).containsEntry("store.redis.url", "****");
    }

    @Test
    void unknownHostKeysFailNamingTheKey() {
        assertThatThrownBy(() -> ServerConfig.load(null, Map.of(), Map.of("api.prot", "1")))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("'api.prot'")
                .hasMessageContaining("api.port");
    }

    @Test
    void badValuesFailNamingTheKey() throws Exception {
        assertThatThrownBy(() -> ServerConfig.load(null, Map.of(), Map.of("api.port", "seventy"))
                        .integer(HostKey.API_PORT, 0, 65535))
                .hasMessageContaining("'api.port'")
                .hasMessageContaining("seventy");
        assertThatThrownBy(() -> ServerConfig.load(null, Map.of(), Map.of("reconcile.interval", "often"))
                        .duration(HostKey.RECONCILE_INTERVAL))
                .hasMessageContaining("'reconcile.interval'")
                .hasMessageContaining("10s");
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "api: [1, 2\n");
        assertThatThrownBy(() -> ServerConfig.load(broken, Map.of(), Map.of())).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> ServerConfig.load(dir.resolve("missing.yaml"), Map.of(), Map.of()))
                .hasMessageContaining("does not exist");
    }
}
