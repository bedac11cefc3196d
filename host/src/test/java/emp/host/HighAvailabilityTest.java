package emp.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import emp.host.TestServer.Reply;
import emp.testsupport.RedisServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several servers sharing one Redis behave as one platform: any of them serves the API and the gateway, one leads
 * and reconciles, and when it goes the other takes over. And a server whose Redis goes away answers 503 until it is
 * back, losing nothing.
 */
class HighAvailabilityTest {
    @TempDir
    Path work;

    private final String prefix = "emp-ha-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private TestServer first;
    private TestServer second;
    private RedisServer ownRedis;

    @AfterEach
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {second, first}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // closed by the test already
            }
        }
        if (ownRedis != null) {
            ownRedis.kill();
        } else {
            RedisServer.deleteKeys(RedisServer.shared(), prefix);
        }
    }

    private TestServer server(String name, String redisUrl) {
        return TestServer.start(
                work.resolve(name),
                Map.of(
                        "store.use",
                        "redis",
                        "store.redis.url",
                        redisUrl,
                        "store.redis.prefix",
                        prefix,
                        "server.id",
                        name,
                        "lease.ttl",
                        "2s",
                        // Servers of one platform seal the apps' secrets with one key.
                        "secrets.key",
                        "MnmcnJ8IjSTD2JXNJi01lYjFDAVFH2WIzne3hp079yU="));
    }

    private static String leader(TestServer server) {
        return server.send("GET", "/healthz", null, null)
                .json()
                .path("checks")
                .path("leader")
                .path("detail")
                .asText();
    }

    private static int ready(TestServer server, String token, String app) {
        return server.send("GET", "/v1/apps/" + app, token, null)
                .json()
                .path("replicas")
                .path("ready")
                .asInt();
    }

    private static int gatewayStatus(TestServer server, String path) {
        return TestServer.call(HttpRequest.newBuilder(server.gateway().resolve(path))
                        .timeout(Duration.ofSeconds(10))
                        .build())
                .statusCode();
    }

    private static String greeting(TestServer server, String path) {
        HttpResponse<String> response =
                TestServer.call(HttpRequest.newBuilder(server.gateway().resolve(path))
                        .timeout(Duration.ofSeconds(10))
                        .build());
        if (response.statusCode() != 200) {
            return "status " + response.statusCode();
        }
        try {
            return JsonCodec.MAPPER.readTree(response.body()).path("message").asText();
        } catch (JsonProcessingException e) {
            return "not JSON: " + response.body();
        }
    }

    @Test
    void twoServersOnOneRedisAreOnePlatformAndTheSurvivorTakesOver() {
        String redis = RedisServer.shared();
        first = server("first", redis);
        await().atMost(Duration.ofSeconds(30)).until(() -> leader(first).contains("(first) leads"));
        second = server("second", redis);
        await().atMost(Duration.ofSeconds(30)).until(() -> leader(second).contains("first at " + first.api()));

        // an account made on one server logs in on the other, and a token of one works on the other
        String token = first.signUp("hana");
        Reply login =
                second.send("POST", "/v1/sessions", null, "{\"username\": \"hana\", \"password\": \"correct horse\"}");
        assertThat(login.status()).isEqualTo(201);
        assertThat(second.send("GET", "/v1/apps", token, null).status()).isEqualTo(200);

        // deployed through the server that stands by, run by the leader, served by both gateways
        assertThat(second.send("POST", "/v1/apps", token, TestServer.helloSpec("hello", ""))
                        .status())
                .isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> ready(first, token, "hello") == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> ready(second, token, "hello") == 1);
        assertThat(first.send("GET", "/v1/apps", token, null).body()).contains("\"name\":\"hello\"");
        await().atMost(Duration.ofSeconds(30)).until(() -> gatewayStatus(second, "/hana/hello/") == 200);
        assertThat(gatewayStatus(first, "/hana/hello/")).isEqualTo(200);

        // scaled through the one that stands by
        assertThat(second.send("PUT", "/v1/apps/hello/replicas", token, "{\"replicas\": 2}")
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> ready(second, token, "hello") == 2);

        // a secret set through the one that stands by is sealed there, opened by the leader for its replicas, and the
        // releases read the same through both
        assertThat(second.send("PATCH", "/v1/apps/hello/secrets", token, "{\"set\": {\"GREETING\": \"ahoy\"}}")
                        .status())
                .isEqualTo(200);
        assertThat(first.send("PATCH", "/v1/apps/hello/config", token, "{\"set\": {\"LEVEL\": \"debug\"}}")
                        .json()
                        .get("release")
                        .asInt())
                .isEqualTo(3);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> greeting(second, "/hana/hello/").equals("ahoy"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> first.send("GET", "/v1/apps/hello/releases/3", token, null)
                        .json()
                        .path("status")
                        .asText()
                        .equals("succeeded"));
        String releases =
                first.send("GET", "/v1/apps/hello/releases", token, null).body();
        assertThat(second.send("GET", "/v1/apps/hello/releases", token, null).body())
                .isEqualTo(releases);
        assertThat(releases)
                .contains("set secrets GREETING", "set config LEVEL")
                .doesNotContain("ahoy");

        // a server with another secrets key would not open them: it does not start
        String otherKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        assertThatThrownBy(() -> TestServer.start(
                        work.resolve("third"),
                        Map.of(
                                "store.use", "redis",
                                "store.redis.url", redis,
                                "store.redis.prefix", prefix,
                                "server.id", "third",
                                "secrets.key", otherKey)))
                .hasMessageContaining("give every server the same key");

        // the leader goes (and its local replicas with it): the other takes over and brings the replicas back
        first.close();
        await().atMost(Duration.ofSeconds(30)).until(() -> leader(second).contains("(second) leads"));
        await().atMost(Duration.ofSeconds(60)).until(() -> ready(second, token, "hello") == 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> gatewayStatus(second, "/hana/hello/") == 200);
        assertThat(second.send("GET", "/v1/apps/hello/events", token, null).body())
                .contains("scaled hello 1 -> 2 by hana");
        assertThat(greeting(second, "/hana/hello/"))
                .as("the new leader opens the secret too")
                .isEqualTo("ahoy");
    }

    @Test
    void whatOneServerWritesTheOtherReadsSoonAndALogoutRevokesTheTokenOnBoth() {
        String redis = RedisServer.shared();
        first = server("first", redis);
        second = server("second", redis);
        String token = first.signUp("vera");
        assertThat(second.send("GET", "/v1/apps", token, null).status()).isEqualTo(200);

        assertThat(first.send("POST", "/v1/apps", token, TestServer.helloSpec("seen", "\"replicas\": 0"))
                        .status())
                .isEqualTo(201);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> second.send("GET", "/v1/apps", token, null).body().contains("\"name\":\"seen\""));
        assertThat(second.send("POST", "/v1/apps/seen/stop", token, null).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> first.send("GET", "/v1/apps/seen", token, null)
                        .json()
                        .path("state")
                        .asText()
                        .equals("stopped"));

        assertThat(first.send("DELETE", "/v1/sessions/current", token, null).status())
                .isEqualTo(204);
        assertThat(first.send("GET", "/v1/apps", token, null).status()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> second.send("GET", "/v1/apps", token, null).status() == 401);
    }

    @Test
    void redisGoingAwayMakesTheApiAnswer503AndNothingIsLostWhenItIsBack() {
        ownRedis = RedisServer.start(work.resolve("redis"), "--appendonly", "yes", "--appendfsync", "always");
        first = server("only", ownRedis.url());
        String token = first.signUp("ines");
        assertThat(first.send("POST", "/v1/apps", token, TestServer.helloSpec("kept", "\"replicas\": 0"))
                        .status())
                .isEqualTo(201);

        ownRedis.kill();

        // Reads come from memory until the server sees its feed of changes cut, a moment later; then from Redis.
        Reply[] apps = new Reply[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            apps[0] = first.send("GET", "/v1/apps", token, null);
            return apps[0].status() == 503;
        });
        assertThat(apps[0].detail()).contains("unreachable", "store.redis.url");
        Reply deploy = first.send("POST", "/v1/apps", token, TestServer.helloSpec("lost", "\"replicas\": 0"));
        assertThat(deploy.status()).isEqualTo(503);
        Reply health = first.send("GET", "/healthz", null, null);
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().path("checks").path("store").path("healthy").asBoolean())
                .isFalse();

        ownRedis.start();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> first.send("GET", "/v1/apps", token, null).status() == 200);
        assertThat(first.send("GET", "/v1/apps", token, null).body())
                .contains("\"name\":\"kept\"")
                .doesNotContain("\"name\":\"lost\"");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> first.send("GET", "/healthz", null, null).status() == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> leader(first).contains("(only) leads"));
    }
}
