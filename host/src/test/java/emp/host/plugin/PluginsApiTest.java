package emp.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.TestServer;
import emp.host.TestServer.Reply;
import emp.spi.SpiVersion;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator swaps the scheduler of a running server by installing a plugin jar through the API: it decides from the
 * next tick, a newer version replaces it in place, the choice outlives a restart; nobody else may do any of it, and
 * what cannot be taken is refused saying why. The running app is never restarted.
 */
class PluginsApiTest {
    @TempDir
    Path work;

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anOperatorSwapsTheSchedulerWithoutARestartAndNobodyElseMay() throws Exception {
        Path plugins = copyOfTheBuiltPlugins();
        server = start(plugins);
        String operator = server.signUp("root");
        String user = server.signUp("mallory");
        assertThat(server.send(
                                "POST",
                                "/v1/apps",
                                operator,
                                TestServer.helloSpec("steady", "\"replicas\": 1, \"max_replicas\": 4"))
                        .status())
                .isEqualTo(201);
        Set<String> firstReplicas = awaitReplicas(operator, 1);

        Path v1 = TestPluginJar.build(work, "fixed-scheduler", "1.0.0", 2);
        for (Reply refused : new Reply[] {
            upload(user, v1),
            server.send("PUT", "/v1/plugins/active/scheduler", user, "{\"name\": \"threshold\"}"),
            server.send("DELETE", "/v1/plugins/scheduler-threshold", user, null)
        }) {
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);
            assertThat(refused.detail()).contains("only the platform's operators");
        }
        assertThat(upload(null, v1).status()).isEqualTo(401);

        Reply installed = upload(operator, v1);
        assertThat(installed.status()).as(installed.body()).isEqualTo(201);
        assertThat(installed.json().get("outcome").asText()).isEqualTo("installed");
        Reply used = server.send("PUT", "/v1/plugins/active/scheduler", operator, "{\"name\": \"fixed\"}");
        assertThat(used.status()).as(used.body()).isEqualTo(200);
        awaitReplicas(operator, 2);
        assertThat(events(operator)).contains("fixed scheduler 1.0.0 wants 2");

        // the same version again, or an older one: refused; a newer one: replaces the active scheduler in place
        assertThat(upload(operator, v1).status()).isEqualTo(409);
        Reply upgraded = upload(operator, TestPluginJar.build(work, "fixed-scheduler", "2.0.0", 3));
        assertThat(upgraded.status()).as(upgraded.body()).isEqualTo(200);
        assertThat(upgraded.json().get("outcome").asText()).isEqualTo("upgraded");
        Set<String> now = awaitReplicas(operator, 3);
        assertThat(events(operator)).contains("fixed scheduler 2.0.0 wants 3");
        assertThat(now).as("the app's first replica was never restarted").containsAll(firstReplicas);
        JsonNode listed = server.send("GET", "/v1/plugins", null, null).json();
        assertThat(listed.toString()).contains("\"id\":\"fixed-scheduler\"", "\"version\":\"2.0.0\"");

        // a newer version whose scheduler does not start: refused, and 2.0.0 is back and active
        assertRefused(
                upload(
                        operator,
                        TestPluginJar.build(work, "fixed-scheduler", "3.0.0", 1, SpiVersion.COMPATIBLE, "fixed", true)),
                400,
                "its scheduler 'fixed', which is in use, does not start");
        assertThat(server.send("GET", "/v1/plugins", null, null).body())
                .contains("\"version\":\"2.0.0\"")
                .contains("\"name\":\"fixed\",\"active\":true");
        long decisions = events(operator).split("fixed scheduler 2.0.0", -1).length;
        server.send("PUT", "/v1/apps/steady/replicas", operator, "{\"replicas\": 1, \"reason\": \"a test\"}");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> events(operator).split("fixed scheduler 2.0.0", -1).length > decisions);

        // refusals, each saying why, none changing what runs
        Path garbage = Files.writeString(work.resolve("garbage.jar"), "not a jar");
        assertRefused(upload(operator, garbage), 400, "not a jar");
        assertRefused(
                upload(operator, TestPluginJar.build(work, "future", "1.0.0", 2, ">=9.0.0", "future", false)),
                400,
                "requires EMP SPI >=9.0.0");
        assertRefused(
                upload(
                        operator,
                        TestPluginJar.build(work, "copycat", "1.0.0", 2, SpiVersion.COMPATIBLE, "fixed", false)),
                409,
                "already provides scheduler 'fixed'");
        assertThat(upload(
                                operator,
                                TestPluginJar.build(work, "broken", "1.0.0", 2, SpiVersion.COMPATIBLE, "broken", true))
                        .status())
                .isEqualTo(201);
        assertRefused(
                server.send("PUT", "/v1/plugins/active/scheduler", operator, "{\"name\": \"broken\"}"),
                400,
                "does not start");
        assertRefused(
                server.send("PUT", "/v1/plugins/active/cluster", operator, "{\"name\": \"kubernetes\"}"),
                409,
                "restart the server with --cluster kubernetes");
        assertRefused(server.send("DELETE", "/v1/plugins/fixed-scheduler", operator, null), 409, "in use");
        assertRefused(server.send("DELETE", "/v1/plugins/nothing", operator, null), 404, "no plugin 'nothing'");
        assertThat(server.send("DELETE", "/v1/plugins/broken", operator, null).status())
                .isEqualTo(204);
        assertThat(server.send("GET", "/v1/audit", operator, null).body())
                .contains("installed plugin 'fixed-scheduler' 1.0.0")
                .contains("plugin 'fixed-scheduler' 1.0.0 -> 2.0.0, upgraded now")
                .contains("scheduler 'fixed' replaces 'none'")
                .contains("removed plugin 'broken'");

        // the choice outlives a restart
        server.close();
        server = start(plugins);
        String again = server.send(
                        "POST", "/v1/sessions", null, "{\"username\": \"root\", \"password\": \"correct horse\"}")
                .json()
                .get("token")
                .asText();
        assertThat(server.send("GET", "/v1/plugins", null, null).body()).contains("\"name\":\"fixed\",\"active\":true");
        assertThat(server.send("PUT", "/v1/plugins/active/scheduler", again, "{\"name\": \"none\"}")
                        .status())
                .isEqualTo(200);
        assertThat(server.send("DELETE", "/v1/plugins/fixed-scheduler", again, null)
                        .status())
                .isEqualTo(204);
    }

    @Test
    void anOperatorSwapsTheTraceSourceAndTheAppsRollOntoItsVariables() throws Exception {
        Path plugins = copyOfTheBuiltPlugins();
        server = start(plugins);
        String operator = server.signUp("root");
        assertThat(server.send(
                                "POST",
                                "/v1/apps",
                                operator,
                                TestServer.helloSpec("steady", "\"replicas\": 1, \"max_replicas\": 1"))
                        .status())
                .isEqualTo(201);
        Set<String> overHttp = awaitReplicas(operator, 1);
        String credential = server.spanToken(operator, "steady");
        assertThat(server.postSpans(credential, "[]").status()).isEqualTo(202);

        assertThat(upload(operator, TestPluginJar.traceSource(work, "beacon", "1.0.0", "beacon", false))
                        .status())
                .isEqualTo(201);
        assertThat(upload(operator, TestPluginJar.traceSource(work, "dud", "1.0.0", "dud", true))
                        .status())
                .isEqualTo(201);
        assertRefused(
                server.send("PUT", "/v1/plugins/active/tracing", operator, "{\"name\": \"dud\"}"),
                400,
                "tracing 'dud' does not start");
        assertThat(server.postSpans(credential, "[]").status())
                .as("the active source stays")
                .isEqualTo(202);

        Reply used = server.send("PUT", "/v1/plugins/active/tracing", operator, "{\"name\": \"beacon\"}");
        assertThat(used.status()).as(used.body()).isEqualTo(200);
        assertThat(environment(operator)).containsEntry("BEACON", "1.0.0").doesNotContainKey("ZIPKIN_ENDPOINT");
        assertRefused(server.postSpans(credential, "[]"), 404, "its trace source is 'beacon'");
        Set<String> onBeacon = awaitReplicasOtherThan(operator, overHttp);
        assertThat(onBeacon)
                .as("the app rolled onto the new source's variables")
                .doesNotContainAnyElementsOf(overHttp);
        assertRefused(
                server.send("DELETE", "/v1/plugins/beacon", operator, null), 409, "'emp plugins use tracing none'");
        assertThat(server.send("GET", "/v1/audit", operator, null).body()).contains("tracing 'beacon' replaces 'http'");

        // the choice outlives a restart
        server.close();
        server = start(plugins);
        String again = server.send(
                        "POST", "/v1/sessions", null, "{\"username\": \"root\", \"password\": \"correct horse\"}")
                .json()
                .get("token")
                .asText();
        assertThat(server.send("GET", "/v1/plugins", null, null).body())
                .contains("\"name\":\"beacon\",\"active\":true");
        assertThat(environment(again)).containsEntry("BEACON", "1.0.0");
        assertThat(server.send("PUT", "/v1/plugins/active/tracing", again, "{\"name\": \"http\"}")
                        .status())
                .isEqualTo(200);
        assertThat(server.postSpans(server.spanToken(again, "steady"), "[]").status())
                .isEqualTo(202);
        assertThat(server.send("DELETE", "/v1/plugins/beacon", again, null).status())
                .isEqualTo(204);
    }

    private TestServer start(Path plugins) {
        return TestServer.start(
                work.resolve("data"),
                Map.of(
                        "plugins.dir",
                        plugins.toString(),
                        "scheduler.interval",
                        "200ms",
                        "scheduler.cooldown-up",
                        "1s"));
    }

    private Path copyOfTheBuiltPlugins() throws IOException {
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        try (Stream<Path> jars = Files.list(TestServer.pluginsDir())) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, plugins.resolve(jar.getFileName()));
            }
        }
        return plugins;
    }

    private Reply upload(String token, Path jar) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.api().resolve("/v1/plugins"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofFile(jar));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return Reply.of(TestServer.call(request.build()));
    }

    private Set<String> awaitReplicas(String token, int count) {
        Set<String> ids = new HashSet<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    JsonNode app =
                            server.send("GET", "/v1/apps/steady", token, null).json();
                    ids.clear();
                    app.get("instances")
                            .forEach(instance -> ids.add(instance.get("id").asText()));
                    return app.get("replicas").get("desired").asInt() == count
                            && app.get("replicas").get("ready").asInt() == count;
                });
        return ids;
    }

    /** Waits for the app's one replica to be another than {@code before}'s. */
    private Set<String> awaitReplicasOtherThan(String token, Set<String> before) {
        Set<String> ids = new HashSet<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    ids.clear();
                    ids.addAll(awaitReplicas(token, 1));
                    return ids.stream().noneMatch(before::contains);
                });
        return ids;
    }

    /** What the app's replicas are given to report spans with. */
    private Map<String, String> environment(String token) {
        Map<String, String> variables = new java.util.HashMap<>();
        server.send("GET", "/v1/apps/steady/span-credential", token, null)
                .json()
                .get("environment")
                .fields()
                .forEachRemaining(
                        field -> variables.put(field.getKey(), field.getValue().asText()));
        return variables;
    }

    private String events(String token) {
        return server.send("GET", "/v1/apps/steady/events", token, null).body();
    }

    private static void assertRefused(Reply reply, int status, String why) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.detail()).contains(why);
    }
}
