package emp.host;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import emp.host.config.ServerConfig;
import emp.host.plugin.ExtensionPointKind;
import emp.host.plugin.LoadedExtension;
import emp.host.plugin.PluginHost;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.store.StateStore;
import emp.spi.store.StateStoreFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real emp-server for tests: the plugin jars the build made (store-file, cluster-local), loaded from a folder as
 * the distribution does; the API and gateway on free ports; state in a folder of the test's.
 */
public final class TestServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final EmpServer server;

    private TestServer(EmpServer server) {
        this.server = server;
    }

    public static TestServer start(Path dataDir, Map<String, String> extra) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("api.port", "0");
        overrides.put("data-dir", dataDir.toString());
        overrides.put("plugins.dir", pluginsDir().toString());
        overrides.put("cluster.local.gateway-port", "0");
        // The test apps' jars are in the Maven repository, often under a home folder other users may not read; the
        // distribution's tests and cluster-local's own run the tenants' users.
        overrides.put("cluster.local.sandbox", "none");
        overrides.put("auth.bcrypt-cost", "4");
        overrides.put("accounts.signup", "open");
        overrides.put("reconcile.interval", "500ms");
        overrides.putAll(extra);
        return new TestServer(
                EmpServer.start(ServerConfig.load(null, Map.of(), overrides), dataDir, Clock.systemUTC()));
    }

    public static Path pluginsDir() {
        String dir = System.getProperty("emp.test.plugins");
        if (dir == null) {
            fail(
                    "system property emp.test.plugins is not set; run the tests with Maven (mvn -pl host verify), which copies the plugin jars");
        }
        return Path.of(dir);
    }

    /**
     * A started file store from the plugin jar, loaded by {@code plugins} as the server loads it, keeping its database
     * in {@code dataDir}.
     */
    public static StateStore fileStore(PluginHost plugins, Path dataDir) {
        LoadedExtension file = plugins.select(ExtensionPointKind.STORE, "file");
        StateStore store = file.create(
                StateStore.class,
                factory -> ((StateStoreFactory) factory)
                        .create(new PluginContext(
                                "store-file",
                                PluginConfig.empty("store.file"),
                                dataDir,
                                URI.create("http://127.0.0.1:1"),
                                Clock.systemUTC())));
        store.start();
        return store;
    }

    /** The examples/hello jar, which the build puts on the test class path. */
    public static Path helloJar() {
        try {
            return Path.of(Class.forName("emp.examples.hello.HelloService")
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new AssertionError("examples/hello is not on the test class path", e);
        }
    }

    /** A spec of examples/hello, with the given extra JSON fields (e.g. {@code "replicas": 2}). */
    public static String helloSpec(String name, String extraFields) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return "{\"name\": \"" + name + "\", \"command\": [\"" + java + "\", \"-jar\", \"" + helloJar()
                + "\"], \"health\": {\"path\": \"/health\"}" + (extraFields.isEmpty() ? "" : ", " + extraFields) + "}";
    }

    public URI api() {
        return server.apiUri();
    }

    public URI gateway() {
        return server.gatewayUri().orElseThrow();
    }

    public Reply send(String method, String path, String token, String body) {
        return Reply.of(
                exchange(method, path, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), body));
    }

    /** A request to the API with these headers (and a JSON body, when not null); the whole answer. */
    public HttpResponse<String> exchange(String method, String path, Map<String, String> headers, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(api().resolve(path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return call(request.build());
    }

    public static HttpResponse<String> call(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("request " + request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The span credential of {@code app}, as its replicas get it in {@code EMP_SPAN_TOKEN}. */
    public String spanToken(String token, String app) {
        Reply reply = send("GET", "/v1/apps/" + app + "/span-credential", token, null);
        if (reply.status() != 200) {
            fail("no span credential for '" + app + "': " + reply);
        }
        return reply.json().get("environment").get("EMP_SPAN_TOKEN").asText();
    }

    /** Posts a body of Zipkin JSON v2 spans to {@code /api/v2/spans} with {@code credential} (none when null). */
    public Reply postSpans(String credential, String body) {
        return send(
                "POST",
                "/api/v2/spans"
                        + (credential == null
                                ? ""
                                : "?emp_token="
                                        + java.net.URLEncoder.encode(
                                                credential, java.nio.charset.StandardCharsets.UTF_8)),
                null,
                body);
    }

    /**
     * Reports {@code requests} traces in which {@code caller} (of {@code owner}) calls {@code callee} once, each app with
     * its own span credential as its replicas would; the caller's requests take twice the callee's.
     */
    public void reportCalls(String token, String owner, String caller, String callee, int requests) {
        long now = System.currentTimeMillis() * 1000;
        List<String> callerSpans = new java.util.ArrayList<>();
        List<String> calleeSpans = new java.util.ArrayList<>();
        for (int i = 0; i < requests; i++) {
            String trace = String.format("%032x", (long) caller.hashCode() * 1_000_003L + now + i);
            long start = now - 1_000_000 + i * 10_000L;
            long duration = (i + 1) * 1000L;
            callerSpans.add(zipkinSpan(trace, "a" + i, null, "SERVER", owner + "/" + caller, start, 2 * duration));
            callerSpans.add(zipkinSpan(trace, "b" + i, "a" + i, "CLIENT", owner + "/" + caller, start + 10, duration));
            calleeSpans.add(
                    zipkinSpan(trace, "c" + i, "b" + i, "SERVER", owner + "/" + callee, start + 20, duration - 20));
        }
        for (String[] app : new String[][] {
            {caller, "[" + String.join(",", callerSpans) + "]"}, {callee, "[" + String.join(",", calleeSpans) + "]"}
        }) {
            Reply reply = postSpans(spanToken(token, app[0]), app[1]);
            if (reply.status() != 202) {
                fail("spans of '" + app[0] + "' not accepted: " + reply);
            }
        }
    }

    /** One span in Zipkin's JSON v2; ids are made from {@code id} and {@code parent}, any text. */
    public static String zipkinSpan(
            String trace, String id, String parent, String kind, String service, long start, long duration) {
        return "{\"traceId\":\"" + trace + "\",\"id\":\"" + String.format("%016x", Math.abs(id.hashCode()) + 1L) + "\""
                + (parent == null
                        ? ""
                        : ",\"parentId\":\"" + String.format("%016x", Math.abs(parent.hashCode()) + 1L) + "\"")
                + ",\"kind\":\"" + kind + "\",\"name\":\"get\",\"timestamp\":" + start + ",\"duration\":" + duration
                + ",\"localEndpoint\":{\"serviceName\":\"" + service + "\"}}";
    }

    /** Creates an account and logs in; returns the token. */
    public String signUp(String username) {
        String credentials = "{\"username\": \"" + username + "\", \"password\": \"correct horse\"}";
        Reply created = send("POST", "/v1/accounts", null, credentials);
        if (created.status() != 201) {
            fail("account not created: " + created);
        }
        return login(username);
    }

    /** Logs in as a user {@link #signUp} made; returns the token. */
    public String login(String username) {
        String credentials = "{\"username\": \"" + username + "\", \"password\": \"correct horse\"}";
        return send("POST", "/v1/sessions", null, credentials)
                .json()
                .get("token")
                .asText();
    }

    public record Reply(int status, String contentType, String body) {
        public static Reply of(HttpResponse<String> response) {
            return new Reply(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        }

        public JsonNode json() {
            try {
                return JsonCodec.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String detail() {
            return json().path("detail").asText();
        }

        public List<JsonNode> list() {
            List<JsonNode> items = new java.util.ArrayList<>();
            json().forEach(items::add);
            return items;
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
