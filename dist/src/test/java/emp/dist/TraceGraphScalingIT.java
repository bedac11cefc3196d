package emp.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-service chain on the local cluster, real processes: playlists calls songs, and songs saturates (one request
 * at a time, 40 ms each) under a load the test applies. With the tracegraph scheduler, songs is scaled and playlists
 * is not, and playlists's p95 comes back under its target.
 */
class TraceGraphScalingIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @TempDir
    Path work;

    private Process server;
    private final ScheduledExecutorService load = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stop() throws Exception {
        load.shutdownNow();
        if (server != null && server.isAlive()) {
            server.destroy();
            server.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void theSaturatedDependencyIsScaledAndItsCallerIsNot() throws Exception {
        int apiPort = EmpCli.freePort();
        int gatewayPort = EmpCli.freePort();
        ProcessBuilder builder = new ProcessBuilder(
                EmpCli.DIST.resolve("bin/emp").toString(),
                "server",
                "--api-port",
                String.valueOf(apiPort),
                "--gateway-port",
                String.valueOf(gatewayPort),
                "--data-dir",
                work.resolve("data").toString(),
                "--scheduler",
                "tracegraph",
                "--set",
                "scheduler.cooldown-up=5s");
        builder.environment().put("EMP_HOME", work.resolve("server-home").toString());
        builder.redirectErrorStream(true)
                .redirectOutput(work.resolve("server.log").toFile());
        server = builder.start();
        String api = "http://127.0.0.1:" + apiPort;
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!server.isAlive()) {
                        throw new AssertionError("the server exited: " + Files.readString(work.resolve("server.log")));
                    }
                    return call("GET", api + "/healthz", null, null) == 200;
                });
        send("POST", api + "/v1/accounts", null, "{\"username\": \"carl\", \"password\": \"correct horse\"}");
        String token = JSON.readTree(send(
                        "POST",
                        api + "/v1/sessions",
                        null,
                        "{\"username\": \"carl\", \"password\": \"correct horse\"}"))
                .get("token")
                .asText();

        String jar = Path.of("../examples/songs/target/songs.jar")
                .toAbsolutePath()
                .normalize()
                .toString();
        String stack =
                "[{\"name\": \"songs\", \"command\": [\"java\", \"-XX:+UseSerialGC\", \"-XX:TieredStopAtLevel=1\", \"-Xmx128m\", \"-jar\", \""
                        + jar + "\", \"songs\"],"
                        + " \"health\": {\"path\": \"/health\"}, \"max_replicas\": 4,"
                        + " \"envs\": [{\"name\": \"MAX_CONCURRENCY\", \"value\": \"1\"}, {\"name\": \"WORK_LATENCY_MS\", \"value\": \"40\"}]},"
                        + " {\"name\": \"playlists\", \"command\": [\"java\", \"-XX:+UseSerialGC\", \"-XX:TieredStopAtLevel=1\", \"-Xmx128m\", \"-jar\", \""
                        + jar + "\", \"playlists\"],"
                        + " \"health\": {\"path\": \"/health\"}, \"dependencies\": [\"songs\"], \"max_replicas\": 4,"
                        + " \"quality_metrics\": [{\"metric\": \"latency_p95_ms\", \"values\": \"300\"}]}]";
        send("POST", api + "/v1/apps", token, stack);
        await().atMost(Duration.ofSeconds(120))
                .until(() -> ready(api, token, "songs") == 1 && ready(api, token, "playlists") == 1);

        // about 40 requests/s, open loop: twice what one songs replica (one at a time, 40 ms each) can serve
        URI playlists = URI.create("http://127.0.0.1:" + gatewayPort + "/carl/playlists/1");
        load.scheduleAtFixedRate(
                () -> HTTP.sendAsync(
                        HttpRequest.newBuilder(playlists)
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.discarding()),
                0,
                25,
                TimeUnit.MILLISECONDS);

        try {
            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> desired(api, token, "songs") >= 2);
            assertThat(desired(api, token, "playlists"))
                    .as("the caller that only waits is not scaled")
                    .isEqualTo(1);
            assertThat(send("GET", api + "/v1/apps/songs/events", token, null))
                    .contains("by scheduler tracegraph")
                    .contains("playlists p95");

            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        JsonNode tracing = JSON.readTree(send("GET", api + "/v1/apps/playlists/tracing", token, null));
                        return tracing.get("spans").asLong() > 50
                                && tracing.get("p95_ms").asDouble() < 300;
                    });
            assertThat(desired(api, token, "playlists")).isEqualTo(1);
            System.out.println("TraceGraphScalingIT passed; what the server knew:\n" + diagnosis(api, token));
        } catch (AssertionError | ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + diagnosis(api, token), e);
        }
    }

    /** What the server knew when the test failed: each app's events and window, for the failure message. */
    private static String diagnosis(String api, String token) {
        StringBuilder text = new StringBuilder();
        for (String app : new String[] {"songs", "playlists"}) {
            for (String path : new String[] {"/events", "/tracing"}) {
                try {
                    text.append(app).append(path).append(": ");
                    text.append(send("GET", api + "/v1/apps/" + app + path, token, null));
                } catch (Exception | AssertionError e) {
                    text.append(e);
                }
                text.append('\n');
            }
        }
        return text.toString();
    }

    private static int ready(String api, String token, String app) throws Exception {
        return JSON.readTree(send("GET", api + "/v1/apps/" + app, token, null))
                .get("replicas")
                .get("ready")
                .asInt();
    }

    private static int desired(String api, String token, String app) throws Exception {
        return JSON.readTree(send("GET", api + "/v1/apps/" + app, token, null))
                .get("replicas")
                .get("desired")
                .asInt();
    }

    private static String send(String method, String url, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as(method + " " + url + ": " + response.body())
                .isLessThan(300);
        return response.body();
    }

    private static int call(String method, String url, String token, String body) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
