package emp.bench.spans;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import zipkin2.Endpoint;
import zipkin2.Span;

/**
 * Traces shaped like the songs system's: {@code aggregator}'s server span fans out with client spans to
 * {@code users}, {@code songs}, {@code playlists} and {@code auth}, each answered by that service's server span, and
 * {@code playlists} calls {@code songs} once more: 11 spans per trace, the way Brave reports them (one span per side
 * of each call, 64-bit ids, HTTP tags, endpoints with ports), timestamped now so they fall in the current window.
 */
final class TraceFactory {
    static final int SPANS_PER_TRACE = 11;

    private final String user;
    private final Endpoint aggregator;
    private final Endpoint users;
    private final Endpoint songs;
    private final Endpoint playlists;
    private final Endpoint auth;

    TraceFactory(String user) {
        this.user = user;
        this.aggregator = endpoint("aggregator", 40001);
        this.users = endpoint("users", 40002);
        this.songs = endpoint("songs", 40003);
        this.playlists = endpoint("playlists", 40004);
        this.auth = endpoint("auth", 40005);
    }

    private Endpoint endpoint(String app, int port) {
        return Endpoint.newBuilder()
                .serviceName(user + "/" + app)
                .ip("127.0.0.1")
                .port(port)
                .build();
    }

    /** The services the traces' spans name, {@code USER/app}. */
    List<String> services() {
        return List.of(aggregator, users, songs, playlists, auth).stream()
                .map(Endpoint::serviceName)
                .toList();
    }

    /** {@code traces} new traces, their spans in one list (as a reporter batches them). */
    List<Span> traces(int traces) {
        List<Span> spans = new ArrayList<>(traces * SPANS_PER_TRACE);
        for (int i = 0; i < traces; i++) {
            trace(spans);
        }
        return spans;
    }

    /**
     * The spans grouped by their local service, in order: what each app sends on its own, one body or message each,
     * with its own credential.
     */
    static Map<String, List<Span>> byService(List<Span> spans) {
        Map<String, List<Span>> byService = new LinkedHashMap<>();
        for (Span span : spans) {
            byService.computeIfAbsent(span.localServiceName(), service -> new ArrayList<>()).add(span);
        }
        return byService;
    }

    private void trace(List<Span> out) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String traceId = hex(random.nextLong());
        long start = System.currentTimeMillis() * 1000 - 50_000;
        long total = 8_000 + random.nextLong(30_000);
        String root = hex(random.nextLong());
        out.add(span(traceId, root, null, Span.Kind.SERVER, "get /", aggregator, null, start, total, "/", false));
        long offset = 500;
        offset = call(out, traceId, root, aggregator, users, "/users/42", start + offset, random) + 200;
        call(out, traceId, root, aggregator, auth, "/auth/check", start + offset, random);
        long playlistsEnd = call(out, traceId, root, aggregator, playlists, "/playlists/7", start + offset, random);
        call(out, traceId, root, aggregator, songs, "/songs/3", playlistsEnd + 100, random);
    }

    /** A client span and the callee's server span (and, from playlists, its own call to songs); returns its end. */
    private long call(
            List<Span> out,
            String traceId,
            String parent,
            Endpoint caller,
            Endpoint callee,
            String path,
            long start,
            ThreadLocalRandom random) {
        String client = hex(random.nextLong());
        String server = hex(random.nextLong());
        long duration = 1_000 + random.nextLong(4_000);
        boolean error = random.nextInt(200) == 0;
        out.add(span(traceId, client, parent, Span.Kind.CLIENT, "get", caller, callee, start, duration + 400, path, error));
        out.add(span(traceId, server, client, Span.Kind.SERVER, "get " + path, callee, caller, start + 200, duration, path, error));
        if (callee == playlists) {
            String nestedClient = hex(random.nextLong());
            String nestedServer = hex(random.nextLong());
            long nested = duration / 3;
            out.add(span(traceId, nestedClient, server, Span.Kind.CLIENT, "get", callee, songs, start + 400, nested, "/songs/9", false));
            out.add(span(traceId, nestedServer, nestedClient, Span.Kind.SERVER, "get /songs/9", songs, callee, start + 500, nested - 200, "/songs/9", false));
        }
        return start + duration + 400;
    }

    private static Span span(
            String traceId,
            String id,
            String parentId,
            Span.Kind kind,
            String name,
            Endpoint local,
            Endpoint remote,
            long timestamp,
            long duration,
            String path,
            boolean error) {
        Span.Builder builder = Span.newBuilder()
                .traceId(traceId)
                .id(id)
                .parentId(parentId)
                .kind(kind)
                .name(name)
                .localEndpoint(local)
                .remoteEndpoint(remote)
                .timestamp(timestamp)
                .duration(duration)
                .putTag("http.method", "GET")
                .putTag("http.path", path);
        if (error) {
            builder.putTag("error", "500").putTag("http.status_code", "500");
        }
        return builder.build();
    }

    private static String hex(long value) {
        // A zero id is invalid in Zipkin's model.
        return String.format("%016x", value == 0 ? 1 : value);
    }
}
