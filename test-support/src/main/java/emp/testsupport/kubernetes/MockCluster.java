package emp.testsupport.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fabric8 mock API server on 127.0.0.1 and a free port, in CRUD mode (it stores what is written and serves watches)
 * or in expectations mode (it answers what the test told it to). Records the method, path and user agent of every
 * request, and in CRUD mode serves pods' logs from what the {@link StandInController} wrote, since the mock keeps no
 * logs of its own.
 */
public final class MockCluster implements AutoCloseable {
    /**
     * What the cluster-kubernetes plugin's client calls itself (its {@code KubeconfigLoader.USER_AGENT}, which the
     * plugin's tests hold to this value): how its requests are told from the stand-in controller's and the tests'.
     */
    public static final String PLUGIN_USER_AGENT = "emp-cluster-kubernetes";

    /** One request as the server saw it. */
    public record Request(String method, String path, String contentType, String userAgent) {
        /** Whether the plugin sent it (its client names itself), rather than the stand-in controller or a test. */
        public boolean fromPlugin() {
            return userAgent != null && userAgent.startsWith(PLUGIN_USER_AGENT);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static final Pattern LOG_PATH = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(\\?.*)?");

    /** The mock server logs every request at INFO through java.util.logging; held, as JUL keeps loggers weakly. */
    private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> logs = new ConcurrentHashMap<>();
    private KubernetesClient client;

    private MockCluster(boolean crud) {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        var dispatcher = crud ? new CrudDispatcher(responses) : new ExpectationDispatcher(responses);
        server = new KubernetesMockServer(
                new Context(Serialization.jsonMapper()), new MockWebServer(), responses, dispatcher, false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A mock that stores objects, as an API server without controllers would. */
    public static MockCluster crud() {
        return new MockCluster(true);
    }

    /** A mock that answers only what {@link #server()}'s {@code expect()} was told. */
    public static MockCluster expectations() {
        return new MockCluster(false);
    }

    /** The server itself, for expectations ({@code server().expect()...}) in expectations mode. */
    public KubernetesMockServer server() {
        return server;
    }

    /** {@code http://127.0.0.1:<port>}: the API server's address, for a kubeconfig. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A client of the test's own (the stand-in controller's, or a test's checks), not the plugin's. */
    public synchronized KubernetesClient client() {
        if (client == null) {
            client = new KubernetesClientBuilder()
                    .withConfig(
                            new io.fabric8.kubernetes.client.ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
                                    .withMasterUrl(url())
                                    .withNamespace("default")
                                    .withRequestRetryBackoffLimit(0)
                                    .build())
                    .withHttpClientFactory(new JdkHttpClientFactory())
                    .build();
        }
        return client;
    }

    /** Every request the server received since it started or since {@link #clearRequests()}, oldest first. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests the plugin sent, told by {@link #PLUGIN_USER_AGENT}. */
    public List<Request> pluginRequests() {
        return requests.stream().filter(Request::fromPlugin).toList();
    }

    /** Forgets the requests recorded so far. */
    public void clearRequests() {
        requests.clear();
    }

    /** Adds a line to what the pod's log serves. */
    public void log(String namespace, String pod, String line) {
        logs.computeIfAbsent(namespace + "/" + pod, key -> new CopyOnWriteArrayList<>())
                .add(line);
    }

    /**
     * Writes a kubeconfig whose contexts {@code mock} (the current one) and {@code other} both point at this server.
     */
    public Path kubeconfig(Path dir) {
        return kubeconfig(dir, url());
    }

    /**
     * Writes {@code dir/kubeconfig} with the contexts {@code mock} (the current one) and {@code other}, both pointing
     * at {@code server} with a bearer token; returns the file.
     */
    public static Path kubeconfig(Path dir, String server) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: %s
                contexts:
                - name: mock
                  context:
                    cluster: mock
                    user: emp
                - name: other
                  context:
                    cluster: mock
                    user: emp
                current-context: mock
                users:
                - name: emp
                  user:
                    token: test-token
                """.formatted(server);
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("kubeconfig");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (client != null) {
                client.close();
            }
        }
        server.destroy();
    }

    private void record(RecordedRequest request) {
        requests.add(new Request(
                request.getMethod(),
                request.getPath(),
                request.getHeader("Content-Type"),
                request.getHeader("User-Agent")));
    }

    private MockResponse servedLog(RecordedRequest request) {
        Matcher matcher = LOG_PATH.matcher(request.getPath());
        if (!"GET".equals(request.getMethod()) || !matcher.matches()) {
            return null;
        }
        List<String> lines = new ArrayList<>(logs.getOrDefault(matcher.group(1) + "/" + matcher.group(2), List.of()));
        String query = matcher.group(3) == null ? "" : matcher.group(3).substring(1);
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("tailLines=")) {
                int tail = Integer.parseInt(
                        URLDecoder.decode(parameter.substring("tailLines=".length()), StandardCharsets.UTF_8));
                lines = lines.subList(Math.max(0, lines.size() - tail), lines.size());
            }
        }
        StringBuilder body = new StringBuilder();
        lines.forEach(line -> body.append(line).append('\n'));
        return new MockResponse().setResponseCode(200).setBody(body.toString());
    }

    private final class CrudDispatcher extends KubernetesMixedDispatcher {
        CrudDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
            super(responses);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            record(request);
            MockResponse log = servedLog(request);
            if (log != null) {
                return log;
            }
            MockResponse response = super.dispatch(request);
            WebSocketListener watch = response.getWebSocketListener();
            return watch == null ? response : response.withWebSocketUpgrade(new ClosingOffTheEventLoop(watch));
        }
    }

    /**
     * Works around the mock server's watches: when a client closes a watch, the mock's listener waits, on the
     * server's event loop, for its own sending thread, which waits for that event loop to send the close frame. The
     * event loop stalls (about 30 s), and with it every request that shares it. Run the closing callbacks on a thread
     * of their own, in order, and the rest is the mock's own behaviour.
     */
    private static final class ClosingOffTheEventLoop extends WebSocketListener {
        private static final ExecutorService CLOSERS = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "mock-watch-closer");
            thread.setDaemon(true);
            return thread;
        });

        private final WebSocketListener delegate;
        private CompletableFuture<Void> closing = CompletableFuture.completedFuture(null);

        ClosingOffTheEventLoop(WebSocketListener delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onBeforeAccept(WebSocket webSocket, Response response) {
            delegate.onBeforeAccept(webSocket, response);
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            delegate.onOpen(webSocket, response);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            delegate.onMessage(webSocket, text);
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            delegate.onMessage(webSocket, bytes);
        }

        @Override
        public void onMessage(WebSocket webSocket, byte[] bytes) {
            delegate.onMessage(webSocket, bytes);
        }

        @Override
        public void onPing(WebSocket webSocket, byte[] bytes) {
            delegate.onPing(webSocket, bytes);
        }

        @Override
        public synchronized void onClosing(WebSocket webSocket, int code, String reason) {
            closing = closing.thenRunAsync(() -> delegate.onClosing(webSocket, code, reason), CLOSERS);
        }

        @Override
        public synchronized void onClosed(WebSocket webSocket, int code, String reason) {
            closing = closing.thenRunAsync(() -> delegate.onClosed(webSocket, code, reason), CLOSERS);
        }

        @Override
        public synchronized void onFailure(WebSocket webSocket, Throwable error, Response response) {
            closing = closing.thenRunAsync(() -> delegate.onFailure(webSocket, error, response), CLOSERS);
        }
    }

    private final class ExpectationDispatcher extends MockDispatcher {
        ExpectationDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
            super(responses);
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            record(request);
            return super.dispatch(request);
        }
    }
}
