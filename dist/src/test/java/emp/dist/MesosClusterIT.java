package emp.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import emp.dist.EmpCli.Run;
import emp.testsupport.RedisServer;
import emp.testsupport.mesos.StandInMaster;
import emp.testsupport.mesos.TaskView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code emp} command against the assembled distribution's server with {@code cluster: mesos}: the real
 * {@code emp server} in a child process, subscribed to the stand-in Mesos master that runs in this JVM, whose two
 * agents run the tasks as real processes. End users reach the tasks through the server's gateway; the server is
 * stopped and started again while they run, and the master is made unreachable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MesosClusterIT {
    private static final ObjectMapper JSON = Http.JSON;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path work;

    private StandInMaster master;
    private ServerProcess server;
    private String api;

    @BeforeAll
    void startMasterAndServer() throws Exception {
        master = StandInMaster.builder(work.resolve("mesos"))
                .agent("agent-1", 4, 4096, 31000, 31099)
                .agent("agent-2", 4, 4096, 31100, 31199)
                .heartbeatInterval(Duration.ofSeconds(1))
                .statusRetryInterval(Duration.ofSeconds(1))
                .allocationInterval(Duration.ofMillis(200))
                .start();
        server = ServerProcess.start(
                "emp",
                work.resolve("server"),
                WAIT,
                "--cluster",
                "mesos",
                "--set",
                "cluster.mesos.master=" + master.uri(),
                "--set",
                "cluster.mesos.failover-timeout=10m",
                "--set",
                "cluster.mesos.health-interval=500ms",
                "--set",
                "cluster.mesos.restart-backoff-initial=200ms",
                "--set",
                "cluster.mesos.offer-refusal=1s",
                // several users share this server; sign-up by invite has tests of its own
                "--set",
                "accounts.signup=open");
        api = server.api();
    }

    @AfterAll
    void stopServerAndMaster() throws Exception {
        try {
            if (server != null) {
                server.stop();
                Path reports = Files.createDirectories(Path.of("target", "failsafe-reports"));
                Files.copy(
                        server.log(),
                        reports.resolve("MesosClusterIT-server.log"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            if (master != null) {
                master.close();
            }
        }
    }

    @Test
    void aUsersWholeSessionRunsOnMesos() throws Exception {
        Path alice = loggedIn("alice");
        String hello =
                EmpCli.DIST.resolve("examples/hello.jar").toAbsolutePath().toString();
        Path spec = work.resolve("stack.json");
        Files.writeString(spec, """
                [
                  {"name": "backend", "command": ["java", "-jar", "%1$s"], "health": {"path": "/health"}},
                  {"name": "web", "command": ["java", "-jar", "%1$s"], "replicas": 2,
                   "envs": [{"name": "GREETING", "value": "hello from mesos"}],
                   "resources": {"cpu": "250m", "memory": "96Mi"},
                   "health": {"path": "/health"},
                   "dependencies": ["backend"]}
                ]
                """.formatted(hello));
        String webUrl = server.gateway() + "/alice/web/";

        // deploy: both apps, each replica a task the master runs
        Run deploy = emp(alice, "deploy", spec.toString());
        assertThat(deploy.out())
                .contains("backend deployed: 1/1 ready at " + server.gateway() + "/alice/backend/")
                .contains("web deployed: 2/2 ready at " + webUrl);
        List<TaskView> webTasks = running("alice/web");
        assertThat(webTasks).hasSize(2);
        TaskView task = webTasks.get(0);
        assertThat(task.environment())
                .containsEntry("GREETING", "hello from mesos")
                .containsEntry("EMP_SERVICE_NAME", "alice/web")
                .containsEntry("BACKEND_URL", server.gateway() + "/alice/backend")
                .containsEntry("PORT", Integer.toString(task.hostPorts().get(0)));
        assertThat(task.info().getResourcesList())
                .filteredOn(resource -> resource.getName().equals("cpus"))
                .singleElement()
                .satisfies(cpus -> assertThat(cpus.getScalar().getValue()).isEqualTo(0.25));

        // end users reach both tasks through the gateway
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> response = get(webUrl + "songs/" + i);
            assertThat(response.statusCode()).isEqualTo(200);
            answered.add(JSON.readTree(response.body()).get("instance").asText());
        }
        assertThat(answered).isEqualTo(ids(webTasks));

        // list and info: the tasks as instances, at their agents' ports
        assertThat(EmpCli.row(emp(alice, "list").out(), "web")).contains("running", "2/2", webUrl);
        String info = emp(alice, "info", "web").out();
        assertThat(EmpCli.squeezed(info)).contains("Ready: 2/2 replicas").contains("URL: " + webUrl);
        for (TaskView each : webTasks) {
            assertThat(EmpCli.row(info, each.taskId()))
                    .contains("ready", "http://127.0.0.1:" + each.hostPorts().get(0));
        }

        // scale
        assertThat(emp(alice, "scale", "web", "3").out()).contains("web scaled to 3 replicas");
        awaitReady(alice, "web", 3);
        assertThat(ids(running("alice/web"))).hasSize(3).containsAll(ids(webTasks));

        // events and logs
        String events = emp(alice, "events", "web").out();
        assertThat(events).contains("deployed 'web' with 2 replicas").contains("scaled web 2 -> 3 by alice");
        for (TaskView each : webTasks) {
            assertThat(events).contains("replica " + each.taskId() + " is ready at http://127.0.0.1:");
        }
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(emp(alice, "logs", "web").out())
                        .contains(task.taskId() + " | hello: app 'alice/web'"));

        // stop kills every task and keeps the count; start brings it back
        assertThat(emp(alice, "stop", "web").out()).contains("web stopped.");
        await().atMost(WAIT).until(() -> running("alice/web").isEmpty());
        await().atMost(WAIT).until(() -> emp(alice, "info", "web").out().contains("No instances running."));
        assertThat(get(webUrl).statusCode())
                .as("a stopped app is refused at once")
                .isEqualTo(503);
        emp(alice, "start", "web");
        awaitReady(alice, "web", 3);

        // remove: the tasks go, the backend stays
        assertThat(emp(alice, "remove", "web").out()).contains("App 'web' removed.");
        await().atMost(WAIT).until(() -> running("alice/web").isEmpty());
        assertThat(emp(alice, "list").out()).contains("backend").doesNotContain("web");
        assertThat(running("alice/backend")).hasSize(1);
        assertThat(emp(alice, "remove", "backend").out()).contains("App 'backend' removed.");
        await().atMost(WAIT).until(() -> running("alice/backend").isEmpty());
    }

    @Test
    void aRestartedServerAdoptsTheTasksAndAnAwayMasterIsNamed() throws Exception {
        Path bob = loggedIn("bob");
        Path spec = work.resolve("steady.json");
        Files.writeString(
                spec,
                "{\"name\": \"steady\", \"command\": [\"java\", \"-jar\", \""
                        + EmpCli.DIST.resolve("examples/hello.jar").toAbsolutePath()
                        + "\"], \"health\": {\"path\": \"/health\"}, \"replicas\": 2}");
        emp(bob, "deploy", spec.toString());
        Set<String> before = ids(running("bob/steady"));
        long launches = launches();

        // the server stops and starts again: it fails over to the same framework and launches nothing
        server.stop();
        server.restart(WAIT);
        awaitReady(bob, "steady", 2);
        assertThat(ids(running("bob/steady"))).isEqualTo(before);
        assertThat(launches()).isEqualTo(launches);
        JsonNode info = JSON.readTree(emp(bob, "info", "steady", "-o", "json").out());
        assertThat(EmpCli.ids(info.get("instances"))).containsExactlyInAnyOrderElementsOf(before);

        // the master goes away: changes are refused naming the setting, the tasks keep serving
        master.pause();
        try {
            await().atMost(WAIT).untilAsserted(() -> {
                Run refused = EmpCli.run(work, bob, "scale", "steady", "3");
                assertThat(refused.exit()).isNotZero();
                assertThat(refused.err())
                        .contains("cluster.mesos.master")
                        .contains(master.uri().toString());
            });
            assertThat(get(server.gateway() + "/bob/steady/").statusCode()).isEqualTo(200);
            assertThat(Http.status(api + "/healthz")).isEqualTo(503);
        } finally {
            master.resume();
        }
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(
                                EmpCli.run(work, bob, "scale", "steady", "3").exit())
                        .isZero());
        awaitReady(bob, "steady", 3);
        assertThat(ids(running("bob/steady"))).containsAll(before);
        emp(bob, "remove", "steady");
        await().atMost(WAIT).until(() -> running("bob/steady").isEmpty());
    }

    @Test
    void theNextLeaderOfSeveralServersFailsOverToTheFramework() throws Exception {
        String redis = RedisServer.shared();
        String prefix = "emp-mesos-it:" + UUID.randomUUID().toString().substring(0, 8) + ":";
        List<ServerProcess> servers = new ArrayList<>();
        try {
            ServerProcess first = redisServer("first", redis, prefix);
            servers.add(first);
            await().atMost(WAIT).until(() -> leader(first).contains("this server (first) leads"));
            ServerProcess second = redisServer("second", redis, prefix);
            servers.add(second);
            await().atMost(WAIT).until(() -> leader(second).contains("this server (second) stands by"));

            String credentials = "{\"username\": \"hana\", \"password\": \"correct horse\"}";
            Http.expect(Http.send("POST", second.api() + "/v1/accounts", null, credentials), 201);
            String token = JSON.readTree(
                            Http.expect(Http.send("POST", second.api() + "/v1/sessions", null, credentials), 201))
                    .get("token")
                    .asText();
            String spec = "{\"name\": \"hello\", \"command\": [\"java\", \"-jar\", \""
                    + EmpCli.DIST.resolve("examples/hello.jar").toAbsolutePath()
                    + "\"], \"replicas\": 2, \"health\": {\"path\": \"/health\"}}";
            Http.expect(Http.send("POST", second.api() + "/v1/apps", token, spec), 201);
            await().atMost(WAIT).until(() -> running("hana/hello").size() == 2);
            Set<String> before = ids(running("hana/hello"));
            long launches = launches();
            int subscriptions = master.subscriptions();
            await().atMost(WAIT).until(() -> Http.status(second.gateway() + "/hana/hello/") == 200);

            // the leader dies without a goodbye; the one that stood by subscribes as the same framework
            first.kill();
            await().atMost(WAIT).until(() -> leader(second).contains("this server (second) leads"));
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode app =
                        JSON.readTree(Http.expect(Http.send("GET", second.api() + "/v1/apps/hello", token, null), 200));
                assertThat(app.get("replicas").get("ready").asInt()).isEqualTo(2);
                assertThat(EmpCli.ids(app.get("instances"))).containsExactlyInAnyOrderElementsOf(before);
            });
            assertThat(master.subscriptions()).isGreaterThan(subscriptions);
            assertThat(ids(running("hana/hello")))
                    .as("the tasks adopted, none doubled")
                    .isEqualTo(before);
            assertThat(launches()).isEqualTo(launches);
            assertThat(get(second.gateway() + "/hana/hello/").statusCode()).isEqualTo(200);
            Http.expect(Http.send("DELETE", second.api() + "/v1/apps/hello", token, null), 204);
            await().atMost(WAIT).until(() -> running("hana/hello").isEmpty());
        } finally {
            for (ServerProcess each : servers) {
                each.stop();
            }
            RedisServer.deleteKeys(redis, prefix);
        }
    }

    private ServerProcess redisServer(String name, String redis, String prefix) throws Exception {
        return ServerProcess.start(
                name,
                work.resolve(name),
                WAIT,
                "--cluster",
                "mesos",
                "--store",
                "redis",
                "--set",
                "store.redis.url=" + redis,
                "--set",
                "store.redis.prefix=" + prefix,
                "--set",
                "server.id=" + name,
                "--set",
                "lease.ttl=3s",
                // Servers of one platform seal the apps' secrets with one key.
                "--set",
                "secrets.key=MnmcnJ8IjSTD2JXNJi01lYjFDAVFH2WIzne3hp079yU=",
                // The HTTP trace source would give each server's tasks that server's own ZIPKIN_ENDPOINT, and the next
                // leader would roll the tasks onto its own; without tracing their environment is the same on both.
                "--tracing",
                "none",
                "--set",
                "cluster.mesos.master=" + master.uri(),
                "--set",
                "cluster.mesos.failover-timeout=10m",
                "--set",
                "cluster.mesos.health-interval=500ms",
                "--set",
                "accounts.signup=open");
    }

    /** The detail of the check "leader" of the server's /healthz. */
    private static String leader(ServerProcess server) throws Exception {
        return JSON.readTree(
                        Http.send("GET", server.api() + "/healthz", null, null).body())
                .path("checks")
                .path("leader")
                .path("detail")
                .asText();
    }

    @Test
    void pluginsShowsTheMesosClusterManagerActive() throws Exception {
        Run plugins = EmpCli.run(work, Files.createDirectories(work.resolve("anyone")), "plugins", "--server", api);
        assertThat(plugins.exit()).as(plugins.err()).isZero();
        assertThat(EmpCli.row(plugins.out(), "cluster-mesos")).contains("cluster:mesos*");
    }

    // ---- the CLI ----

    private Run emp(Path home, String... args) throws Exception {
        Run run = EmpCli.run(work, home, args);
        assertThat(run.exit())
                .as("emp %s failed: %s", String.join(" ", args), run.err())
                .isZero();
        return run;
    }

    private Path loggedIn(String user) throws Exception {
        Path home = Files.createDirectories(work.resolve(user));
        emp(home, "create-account", "--server", api, "--username", user, "--password", "correct horse");
        emp(home, "login", "--server", api, "--username", user, "--password", "correct horse");
        return home;
    }

    private void awaitReady(Path home, String app, int replicas) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            JsonNode info = JSON.readTree(emp(home, "info", app, "-o", "json").out());
            return info.get("replicas").get("ready").asInt() == replicas
                    && info.get("instances").size() == replicas;
        });
    }

    // ---- the master ----

    /** The app's tasks that run now, as the master sees them. */
    private List<TaskView> running(String app) {
        return master.tasks().stream()
                .filter(task -> task.name().equals(app) && task.state() == TaskState.TASK_RUNNING)
                .toList();
    }

    private long launches() {
        return master.calls().stream()
                .filter(call -> call.getType() == Call.Type.ACCEPT)
                .flatMap(call -> call.getAccept().getOperationsList().stream())
                .mapToLong(operation -> operation.getLaunch().getTaskInfosCount())
                .sum();
    }

    private static Set<String> ids(List<TaskView> tasks) {
        return tasks.stream().map(TaskView::taskId).collect(Collectors.toSet());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
