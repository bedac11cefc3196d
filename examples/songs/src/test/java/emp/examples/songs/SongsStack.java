package emp.examples.songs;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.awaitility.Awaitility;

/** All five services in this JVM on free ports, wired to each other directly, as {@code alice}'s apps. */
final class SongsStack implements AutoCloseable {
    final RecordedSpans spans = new RecordedSpans();
    private final Map<ServiceKind, SongsService> services = new EnumMap<>(ServiceKind.class);

    /** Starts every service; those named in {@code knobs} work as told, the others add nothing. */
    static SongsStack start(Map<ServiceKind, Knobs> knobs) throws IOException {
        SongsStack stack = new SongsStack();
        try {
            // Callees first, so each caller is given its dependencies' URLs.
            for (ServiceKind kind : new ServiceKind[] {
                ServiceKind.USERS, ServiceKind.SONGS, ServiceKind.AUTH, ServiceKind.PLAYLISTS, ServiceKind.AGGREGATOR
            }) {
                Map<ServiceKind, URI> dependencies = new EnumMap<>(ServiceKind.class);
                for (ServiceKind dependency : kind.dependencies()) {
                    dependencies.put(dependency, stack.url(dependency));
                }
                ServiceConfig config = new ServiceConfig(
                        kind, "127.0.0.1", 0, "alice/" + kind.id(), dependencies, knobs.getOrDefault(kind, Knobs.NONE));
                stack.services.put(kind, SongsService.start(config, stack.spans));
            }
            return stack;
        } catch (IOException | RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    URI url(ServiceKind kind) {
        return services.get(kind).url();
    }

    /** Waits until no service is answering, so every span of the requests made so far has ended. */
    void awaitIdle() {
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> services.values().stream().allMatch(SongsService::idle));
    }

    @Override
    public void close() {
        services.values().forEach(SongsService::close);
    }
}
