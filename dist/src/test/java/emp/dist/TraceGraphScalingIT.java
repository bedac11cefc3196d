package emp.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-service chain on the local cluster, real processes: playlists calls songs, and songs saturates (one request
 * at a time, 40 ms each) under a load the test applies. With the tracegraph scheduler, songs is scaled from the
 * gateway's figures (requests wait for it) and playlists, which only waits on it, is not; playlists's p95 comes back
 * under its target, songs at the count its demand needs (not its max), and no request fails.
 */
class TraceGraphScalingIT {
    private static final ObjectMapper JSON = Http.JSON;

    @TempDir
    Path work;

    private ServerProcess server;
    private final ScheduledExecutorService load = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stop() throws Exception {
        load.shutdownNow();
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void theSaturatedDependencyIsScaledAndItsCallerIsNot() throws Exception {
        server = ServerProcess.start(
                "emp", work, Duration.ofSeconds(120), "--scheduler", "tracegraph", "--set", "scheduler.cooldown-up=5s");
        String api = server.api();
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
                        + " \"health\": {\"path\": \"/health\"}, \"max_replicas\": 6,"
                        + " \"envs\": [{\"name\": \"MAX_CONCURRENCY\", \"value\": \"1\"}, {\"name\": \"WORK_LATENCY_MS\", \"value\": \"40\"}]},"
                        + " {\"name\": \"playlists\", \"command\": [\"java\", \"-XX:+UseSerialGC\", \"-XX:TieredStopAtLevel=1\", \"-Xmx128m\", \"-jar\", \""
                        + jar + "\", \"playlists\"],"
                        + " \"health\": {\"path\": \"/health\"}, \"dependencies\": [\"songs\"], \"max_replicas\": 6,"
                        + " \"quality_metrics\": [{\"metric\": \"latency_p95_ms\", \"values\": \"300\"}]}]";
        send("POST", api + "/v1/apps", token, stack);
        await().atMost(Duration.ofSeconds(120))
                .until(() -> ready(api, token, "songs") == 1 && ready(api, token, "playlists") == 1);

        // about 40 requests/s, open loop: twice what one songs replica (one at a time, 40 ms each) can serve
        URI playlists = URI.create(server.gateway() + "/carl/playlists/1");
        AtomicInteger sent = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        load.scheduleAtFixedRate(
                () -> {
                    sent.incrementAndGet();
                    Http.CLIENT
                            .sendAsync(
                                    HttpRequest.newBuilder(playlists)
                                            .timeout(Duration.ofSeconds(30))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .whenComplete((response, error) -> {
                                if (error != null) {
                                    failures.add(error.toString());
                                } else if (response.statusCode() >= 400) {
                                    failures.add(response.statusCode() + " " + response.body());
                                }
                            });
                },
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
            // Saturated: requests waited in the gateway, or its replicas had all the gateway lets them have (which
            // of the two the first tick sees depends on how far the gateway's learned limit has come down).
            assertThat(send("GET", api + "/v1/apps/songs/events", token, null))
                    .contains("by scheduler tracegraph")
                    .containsAnyOf("wait in the gateway", "requests their limit allows");

            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        JsonNode tracing = JSON.readTree(send("GET", api + "/v1/apps/playlists/tracing", token, null));
                        return tracing.get("spans").asLong() > 50
                                && tracing.get("p95_ms").asDouble() < 300;
                    });
            assertThat(desired(api, token, "playlists")).isEqualTo(1);
            // 40 requests/s at 25 a replica (40 ms each, one at a time): 2 replicas carry them at 0.8 of their
            // capacity without a line, and tracegraph scales up only an app that is saturated, so it may stop there;
            // a burst that saturates them takes it to 40 / (25 x 0.7) = 2.3, so 3, or 4 with a backlog to clear.
            // A busy machine delays the load's ticks and then sends them at once, so a burst measures up to ~55 rps
            // and asks for 5; and a first saturated tick may measure a replica whose JVM is still warming up at half
            // its capacity (11.5 rps seen), which asks for the max of 6. Never past it, and never the caller.
            assertThat(desired(api, token, "songs")).isBetween(2, 6);
            assertThat(failures).as("failed requests of %d sent", sent.get()).isEmpty();
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
        return Http.expectSuccess(Http.send(method, url, token, body));
    }
}
