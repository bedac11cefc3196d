package emp.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server SIGKILLed in the middle of a burst of deploys, scales and removes, three times over, on real
 * processes: after each restart, once it has reconciled, every replica process of the server's apps is one its
 * store wants, none is left over (started just before the kill, or of an app removed meanwhile), and none is missing.
 */
class CrashRecoveryIT {
    private static final Duration STARTUP = Duration.ofSeconds(120);

    @TempDir
    Path work;

    private ServerProcess server;
    private ExecutorService burst = Executors.newFixedThreadPool(3);

    @AfterEach
    void stop() throws Exception {
        burst.shutdownNow();
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void noReplicaProcessOutlivesItsDesiredReplicaAcrossKills() throws Exception {
        server = ServerProcess.start("emp", work, STARTUP);
        String api = server.api();
        Http.expect(
                Http.send(
                        "POST", api + "/v1/accounts", null, "{\"username\": \"kim\", \"password\": \"correct horse\"}"),
                201);
        String token = Http.JSON
                .readTree(Http.expect(
                        Http.send(
                                "POST",
                                api + "/v1/sessions",
                                null,
                                "{\"username\": \"kim\", \"password\": \"correct horse\"}"),
                        201))
                .get("token")
                .asText();
        Path data = work.resolve("data");
        Random random = new Random(42);

        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 12; i++) {
                int app = random.nextInt(4);
                int action = random.nextInt(3);
                int replicas = random.nextInt(3);
                burst.submit(() -> {
                    try {
                        switch (action) {
                            case 0 -> Http.send("POST", api + "/v1/apps", token, spec("app" + app, replicas));
                            case 1 ->
                                Http.send(
                                        "PUT",
                                        api + "/v1/apps/app" + app + "/replicas",
                                        token,
                                        "{\"replicas\": " + replicas + "}");
                            default -> Http.send("DELETE", api + "/v1/apps/app" + app, token, null);
                        }
                    } catch (IOException e) {
                        // the server was killed under the request: what it acknowledged is what counts
                    }
                    return null;
                });
            }
            Thread.sleep(300 + random.nextInt(900));
            server.kill();
            burst.shutdownNow();
            burst.awaitTermination(30, TimeUnit.SECONDS);
            server.restart(STARTUP);
            burst = Executors.newFixedThreadPool(3);
            int checked = round;
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(replicaProcesses(data))
                            .as("round %d: replica processes against the replicas the store wants", checked)
                            .isEqualTo(desired(api, token)));
        }
    }

    private static String spec(String name, int replicas) {
        return "{\"name\": \"" + name + "\", \"command\": [\"java\", \"-jar\", \""
                + EmpCli.DIST.resolve("examples/hello.jar").toAbsolutePath()
                + "\"], \"health\": {\"path\": \"/health\"}, \"replicas\": " + replicas + "}";
    }

    /** The replicas the store wants: the desired count of every app not stopped. */
    private static int desired(String api, String token) throws IOException {
        JsonNode apps = Http.JSON.readTree(Http.expect(Http.send("GET", api + "/v1/apps", token, null), 200));
        int sum = 0;
        for (JsonNode app : apps) {
            if (!app.get("state").asText().equals("stopped")) {
                sum += app.get("replicas").get("desired").asInt();
            }
        }
        return sum;
    }

    /**
     * The JVMs running examples/hello whose working folder is under the server's data folder (not the unshare and
     * shell that start each replica in its namespaces, whose arguments name the jar too).
     */
    private static long replicaProcesses(Path data) {
        Path base = data.toAbsolutePath().normalize();
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().command().orElse("").endsWith("/java"))
                .filter(process -> process.info().arguments().map(List::of).orElse(List.of()).stream()
                        .anyMatch(argument -> argument.endsWith("hello.jar")))
                .filter(process -> {
                    try {
                        return Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd"))
                                .startsWith(base);
                    } catch (IOException e) {
                        return false;
                    }
                })
                .count();
    }
}
