package emp.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emp.dist.EmpCli.Run;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled distribution, end to end, as a newcomer uses it: the real {@code emp server} on free ports and the
 * real {@code emp} command, with examples/hello as the app.
 */
class DistributionIT {
    private static final ObjectMapper JSON = Http.JSON;
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Path DIST = EmpCli.DIST;

    @TempDir
    Path work;

    private ServerProcess server;

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void aNewcomersFirstSession() throws Exception {
        server = ServerProcess.start("emp", work, STARTUP);
        Path alice = Files.createDirectories(work.resolve("alice"));
        Path bob = Files.createDirectories(work.resolve("bob"));
        String api = server.api();

        assertThat(emp(alice, "create-account", "--server", api, "--username", "alice", "--password", "correct horse")
                        .exit())
                .isZero();
        Run wrong = emp(alice, "login", "--server", api, "--username", "alice", "--password", "wrong horse");
        assertThat(wrong.exit()).isNotZero();
        assertThat(wrong.err()).contains("wrong username or password");
        assertThat(emp(alice, "login", "--server", api, "--username", "alice", "--password", "correct horse")
                        .exit())
                .isZero();
        assertThat(Files.getPosixFilePermissions(alice.resolve("config"))).hasSize(2);

        Path spec = work.resolve("hello.json");
        Files.writeString(
                spec,
                "{\"name\": \"hello\", \"command\": [\"java\", \"-jar\", \""
                        + DIST.resolve("examples/hello.jar").toAbsolutePath()
                        + "\"], \"replicas\": 2, \"health\": {\"path\": \"/health\"}}");
        Run deploy = emp(alice, "deploy", spec.toString());
        assertThat(deploy.exit()).as(deploy.err()).isZero();
        String url = server.gateway() + "/alice/hello/";
        assertThat(deploy.out()).contains(url);

        assertThat(instancesAnswering(url, 30))
                .as("requests through the gateway reach both replicas")
                .hasSize(2);

        assertThat(emp(alice, "scale", "hello", "3").exit()).isZero();
        JsonNode scaled = awaitReady(alice, 3);
        long victim = scaled.get("instances").get(0).get("pid").asLong();

        // SIGKILL a replica while requests flow: none fails, and the replica comes back
        AtomicBoolean flowing = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Thread load = new Thread(() -> {
            while (flowing.get()) {
                sent.incrementAndGet();
                try {
                    HttpResponse<String> response = get(url);
                    if (response.statusCode() != 200) {
                        failures.add(response.statusCode() + " " + response.body());
                    }
                } catch (IOException e) {
                    failures.add(e.toString());
                }
            }
        });
        load.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() > 20);
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode app = info(alice);
            return app.get("replicas").get("ready").asInt() == 3
                    && pids(app).stream().noneMatch(pid -> pid == victim);
        });
        int before = sent.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() > before + 20);
        flowing.set(false);
        load.join();
        assertThat(failures).as("failed requests out of " + sent.get()).isEmpty();
        assertThat(emp(alice, "events", "hello").out()).contains("crash").contains("restart");

        assertThat(emp(alice, "stop", "hello").exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> get(url).statusCode() == 503);
        assertThat(emp(alice, "start", "hello").exit()).isZero();
        awaitReady(alice, 3);
        assertThat(get(url).statusCode()).isEqualTo(200);

        // a secret reaches the replicas, and never the CLI's output, the API's answers, the events, the server's log
        // or the store's files; a rollback goes back to the release before it
        String secret = "s3cret-" + System.nanoTime();
        Run set = emp(alice, "secrets", "set", "hello", "GREETING=" + secret);
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.out()).contains("GREETING").contains("release v2").doesNotContain(secret);
        await().atMost(Duration.ofSeconds(60)).until(() -> get(url).body().contains(secret));
        assertThat(emp(alice, "secrets", "list", "hello").out()).isEqualTo("GREETING=********\n");
        for (String[] command : List.of(
                new String[] {"info", "hello", "-o", "json"},
                new String[] {"releases", "hello", "-o", "json"},
                new String[] {"events", "hello"},
                new String[] {"list", "-o", "json"})) {
            Run run = emp(alice, command);
            assertThat(run.exit()).isZero();
            assertThat(run.out() + run.err()).as(String.join(" ", command)).doesNotContain(secret);
        }
        Run rollback = emp(alice, "rollback", "hello");
        assertThat(rollback.exit()).as(rollback.err()).isZero();
        assertThat(rollback.out()).contains("rolled 'hello' back to v1 as release v3");
        assertThat(get(url).body()).doesNotContain(secret);
        assertThat(filesHolding(work, secret))
                .as("files that hold the secret in the clear")
                .isEmpty();

        // a second user, invited by alice (the first account, so the operator), sees none of it
        Run uninvited = emp(bob, "create-account", "--server", api, "--username", "bob", "--password", "correct horse");
        assertThat(uninvited.exit()).isNotZero();
        assertThat(uninvited.err()).contains("invite");
        Run invite = emp(alice, "invite");
        assertThat(invite.exit()).isZero();
        String code = invite.out().trim();
        assertThat(emp(
                                bob,
                                "create-account",
                                "--server",
                                api,
                                "--username",
                                "bob",
                                "--password",
                                "correct horse",
                                "--invite",
                                code)
                        .exit())
                .isZero();
        assertThat(emp(bob, "login", "--server", api, "--username", "bob", "--password", "correct horse")
                        .exit())
                .isZero();
        assertThat(JSON.readTree(emp(bob, "list", "-o", "json").out())).isEmpty();
        Run foreign = emp(bob, "info", "hello");
        assertThat(foreign.exit()).isNotZero();
        assertThat(foreign.err()).contains("'hello'");
        assertThat(emp(bob, "remove", "hello").exit()).isNotZero();
        Run notOperator = emp(bob, "users");
        assertThat(notOperator.exit()).isNotZero();
        assertThat(notOperator.err()).contains("only the platform's operators");
        assertThat(emp(alice, "users").out()).contains("alice", "operator", "bob", "user");

        // the operator swaps the scheduler of the running platform with the example plugin; a user may not
        Path plugin = Path.of("../examples/scheduler-plugin/target/queue-scheduler-1.0.0.jar");
        assertThat(plugin)
                .as("the example plugin, which the build makes before this module")
                .exists();
        Run installed = emp(alice, "plugins", "install", plugin.toString());
        assertThat(installed.exit()).as(installed.err()).isZero();
        assertThat(installed.out()).contains("installed plugin 'queue-scheduler' 1.0.0: scheduler 'queue'");
        Run refused = emp(bob, "plugins", "use", "scheduler", "queue");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("only the platform's operators");
        assertThat(emp(alice, "plugins", "use", "scheduler", "queue").exit()).isZero();
        assertThat(emp(alice, "plugins").out()).contains("scheduler:queue*");
        assertThat(emp(alice, "plugins", "use", "scheduler", "none").exit()).isZero();
        // while it was active it may have sized hello for the little traffic it saw: back to the count the test wants
        assertThat(emp(alice, "scale", "hello", "3").exit()).isZero();
        assertThat(emp(alice, "plugins", "remove", "queue-scheduler").out())
                .contains("removed plugin 'queue-scheduler'");
        assertThat(emp(alice, "audit").out()).contains("installed plugin 'queue-scheduler'");
        Run scrapeToken = emp(alice, "scrape-tokens", "create", "--days", "7");
        assertThat(scrapeToken.exit()).as(scrapeToken.err()).isZero();
        assertThat(scrapeToken.out().trim()).startsWith("emp_scrape_");
        assertThat(emp(alice, "scrape-tokens", "list").out()).contains("by alice");

        // the server is SIGKILLed and restarted: the app is still there and serving, on the very processes it had
        List<Long> beforeKill = pids(awaitReady(alice, 3));
        server.kill();
        server.restart(STARTUP);
        JsonNode afterRestart = awaitReady(alice, 3);
        assertThat(afterRestart.get("state").asText()).isEqualTo("running");
        assertThat(instancesAnswering(url, 30)).hasSizeGreaterThanOrEqualTo(2);
        // once it leads again (a restarted server that took itself for another would have stopped and replaced them)
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Http.get(api + "/healthz").body().contains("leads the control plane"));
        assertThat(pids(awaitReady(alice, 3)))
                .as("the replicas that kept running are adopted, not replaced")
                .containsExactlyInAnyOrderElementsOf(beforeKill);
        assertThat(Files.readString(server.log())).doesNotContain("runs on another server of the control plane");

        List<Long> lastPids = pids(afterRestart);
        assertThat(emp(alice, "remove", "hello").exit()).isZero();
        assertThat(JSON.readTree(emp(alice, "list", "-o", "json").out())).isEmpty();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> lastPids.stream()
                        .noneMatch(pid -> ProcessHandle.of(pid)
                                .map(ProcessHandle::isAlive)
                                .orElse(false)));
        assertThat(emp(alice, "logout").exit()).isZero();
        assertThat(emp(alice, "list").exit()).isNotZero();
    }

    private JsonNode info(Path home) throws Exception {
        Run run = emp(home, "info", "hello", "-o", "json");
        assertThat(run.exit()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }

    private JsonNode awaitReady(Path home, int replicas) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    last[0] = info(home);
                    return last[0].get("replicas").get("ready").asInt() == replicas
                            && last[0].get("instances").size() == replicas;
                });
        return last[0];
    }

    private static List<Long> pids(JsonNode app) {
        List<Long> pids = new ArrayList<>();
        app.get("instances").forEach(instance -> pids.add(instance.get("pid").asLong()));
        return pids;
    }

    private static Set<String> instancesAnswering(String url, int requests) throws Exception {
        Set<String> instances = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = get(url);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            instances.add(JSON.readTree(response.body()).get("instance").asText());
        }
        return instances;
    }

    private static HttpResponse<String> get(String url) throws IOException {
        return Http.get(url);
    }

    /** The files below {@code folder} whose bytes hold {@code text}. */
    private static List<Path> filesHolding(Path folder, String text) throws IOException {
        byte[] needle = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Path> holding = new ArrayList<>();
        try (var files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                if (content.contains(new String(needle, java.nio.charset.StandardCharsets.ISO_8859_1))) {
                    holding.add(file);
                }
            }
        }
        return holding;
    }

    private Run emp(Path home, String... args) throws Exception {
        return EmpCli.run(work, home, args);
    }
}
