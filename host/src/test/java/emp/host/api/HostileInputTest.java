package emp.host.api;

import static org.assertj.core.api.Assertions.assertThat;

import emp.host.TestServer;
import emp.host.TestServer.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a hostile client sends the control API, on a real server: odd headers, bodies past their route's limit,
 * oversized and control-character fields, more apps than the quota. Each gets a 4xx naming what was wrong; none a
 * 5xx, and nothing refused is stored.
 */
class HostileInputTest {
    @TempDir
    static Path dataDir;

    static TestServer server;
    private static final AtomicInteger users = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void startServer() {
        server = TestServer.start(dataDir, Map.of("quota.apps-per-user", "3", "quota.replicas-per-user", "5"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String newUser() {
        return server.signUp("hostile-" + users.incrementAndGet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/accounts", "/v1/sessions", "/v1/apps", "/api/v2/spans"})
    void aCharsetTheServerCannotDecodeIsRefusedWith415(String path) {
        for (String charset : new String[] {"x-no-such-charset", "utf-8\"", "!!"}) {
            Reply reply = post(path, "application/json; charset=" + charset, "{}");
            assertThat(reply.status()).as("charset %s", charset).isIn(400, 415);
            assertThat(reply.detail()).contains("Content-Type");
        }
    }

    @Test
    void aContentTypeThatIsNoMediaTypeIsRefusedWith400() {
        Reply reply = post("/v1/accounts", "json", "{}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.detail()).contains("'json' is not a media type");
    }

    @Test
    void aPasswordLongerThanBcryptReadsIsAWrongPasswordNotAnError() {
        String password = "p".repeat(200);
        Reply reply = server.send(
                "POST", "/v1/sessions", null, "{\"username\": \"nobody\", \"password\": \"" + password + "\"}");

        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.detail()).isEqualTo("wrong username or password");
    }

    @Test
    void aBodyLongerThanItsRouteTakesIsRefusedBeforeItIsRead() {
        Reply credentials = post("/v1/accounts", "application/json", "{\"username\": \"" + "a".repeat(20_000) + "\"}");
        assertThat(credentials.status()).isEqualTo(413);
        assertThat(credentials.detail()).contains("/v1/accounts takes at most " + RequestBodyLimits.CREDENTIALS);

        String token = newUser();
        Optional<Reply> chunked = trySend(HttpRequest.newBuilder(server.api().resolve("/v1/apps"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Filler(2 << 20))));
        // The server answers 413 and closes the connection without reading the rest: a client still sending may see
        // the answer, or only the closed connection (broken pipe), depending on which comes first.
        chunked.ifPresent(reply -> assertThat(reply.status()).isEqualTo(413));
        assertThat(server.send("GET", "/v1/apps", token, null).list()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v2/spans", "/v1/accounts", "/v1/sessions"})
    void halfAGigabyteToARouteWithoutATokenLeavesTheHeapFlat(String path) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        long body = 512L << 20;

        Optional<Reply> reply = trySend(HttpRequest.newBuilder(server.api().resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Filler(body))));

        // The server answers (413, or 401 for spans without a credential) and closes; a client still sending may see
        // the close before the answer.
        reply.ifPresent(answer -> assertThat(answer.status()).isIn(401, 413));
        long grown = usedAfterGc(memory) - before;
        assertThat(grown).as("heap growth over a %d-byte body", body).isLessThan(body / 16);
    }

    @Test
    void oversizedAndControlCharacterFieldsAreRefusedNamingTheField() {
        String token = newUser();
        assertRefused(
                token, "\"envs\": [{\"name\": \"BIG\", \"value\": \"" + "v".repeat(100_000) + "\"}]", "envs[0].value");
        assertRefused(token, "\"envs\": [{\"name\": \"NUL\", \"value\": \"a\\u0000b\"}]", "envs[0].value");
        assertRefused(token, "\"docker_image\": \"" + "i".repeat(1000) + "\"", "docker_image");
        assertRefused(token, "\"health\": {\"path\": \"/he\\u0007alth\"}", "health.path");
        assertThat(server.send("GET", "/v1/apps", token, null).list()).isEmpty();

        // A script in an argument keeps its line breaks and tabs.
        Reply multiline = server.send(
                "POST",
                "/v1/apps",
                token,
                "{\"name\": \"script\", \"command\": [\"sh\", \"-c\", \"sleep 1000\\n\\techo done\"], \"replicas\": 0}");
        assertThat(multiline.status()).as(multiline.body()).isEqualTo(201);
    }

    @Test
    void aScaleReasonPastItsLimitIsRefused() {
        String token = newUser();
        assertThat(server.send(
                                "POST",
                                "/v1/apps",
                                token,
                                "{\"name\": \"idle\", \"command\": [\"sleep\", \"1000\"], \"replicas\": 0}")
                        .status())
                .isEqualTo(201);

        Reply reply = server.send(
                "PUT", "/v1/apps/idle/replicas", token, "{\"replicas\": 0, \"reason\": \"" + "r".repeat(5000) + "\"}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).isEqualTo("reason");
    }

    @Test
    void appsAndReplicasPastTheQuotaAreRefusedNamingTheQuota() {
        String token = newUser();
        String idle = "\"command\": [\"sleep\", \"1000\"], \"replicas\": 0";
        Reply three = server.send(
                "POST",
                "/v1/apps",
                token,
                "[{\"name\": \"a\", " + idle + "}, {\"name\": \"b\", " + idle + "}, {\"name\": \"c\", " + idle + "}]");
        assertThat(three.status()).as(three.body()).isEqualTo(201);

        Reply fourth = server.send("POST", "/v1/apps", token, "{\"name\": \"d\", " + idle + "}");
        assertThat(fourth.status()).isEqualTo(409);
        assertThat(fourth.detail()).contains("quota.apps-per-user", "the quota is 3");

        Reply pastReplicas = server.send("PUT", "/v1/apps/a/replicas", token, "{\"replicas\": 6}");
        assertThat(pastReplicas.status()).isEqualTo(409);
        assertThat(pastReplicas.detail()).contains("quota.replicas-per-user", "would have 6 replicas");
        assertThat(server.send("GET", "/v1/apps", token, null).list())
                .hasSize(3)
                .allSatisfy(app ->
                        assertThat(app.get("replicas").get("desired").asInt()).isZero());
    }

    private static void assertRefused(String token, String fields, String field) {
        Reply reply = server.send(
                "POST", "/v1/apps", token, "{\"name\": \"bad\", \"command\": [\"sleep\", \"1\"], " + fields + "}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json().get("field").asText()).isEqualTo(field);
        assertThat(reply.body().length())
                .as("the error does not repeat the field whole")
                .isLessThan(2000);
    }

    private static Reply post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(server.api().resolve(path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static Reply send(HttpRequest.Builder request) {
        return trySend(request).orElseThrow(() -> new AssertionError("no answer"));
    }

    private static Optional<Reply> trySend(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response =
                    HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            return Optional.of(new Reply(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** {@code length} bytes of '[' (a JSON array that never ends), made as they are read. */
    private static final class Filler extends InputStream {
        private long left;

        Filler(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return '[';
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (left <= 0) {
                return -1;
            }
            int count = (int) Math.min(length, left);
            java.util.Arrays.fill(buffer, offset, offset + count, (byte) '[');
            left -= count;
            return count;
        }
    }
}
