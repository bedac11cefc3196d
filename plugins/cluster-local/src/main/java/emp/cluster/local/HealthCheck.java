package emp.cluster.local;

import emp.spi.app.HealthProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

/**
 * Asks replicas whether they are ready, as {@link HealthProbe} defines it: with an explicit health path, an answer
 * below 400; without one, any HTTP answer on {@code /}. One asynchronous GET per question on a keep-alive client, so
 * polling many replicas often costs a few idle connections and no thread each.
 */
final class HealthCheck implements AutoCloseable {
    /**
     * What a replica answered.
     *
     * @param healthy whether it counts as ready
     * @param answer  what it answered, for a person: {@code answered 503}, {@code no answer (ConnectException)}
     */
    record Answer(boolean healthy, String answer) {}

    private final ExecutorService executor;
    private final HttpClient http;

    HealthCheck(ThreadFactory threads) {
        executor = Executors.newCachedThreadPool(threads);
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
    }

    /**
     * Sends one GET; the future never fails.
     *
     * @param explicit whether the spec named the path (then only an answer below 400 counts)
     */
    CompletableFuture<Answer> ask(URI uri, boolean explicit, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("User-Agent", "emp-cluster-local")
                .GET()
                .build();
        try {
            return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .handle((response, error) -> error != null
                            ? new Answer(false, "no answer (" + error.getClass().getSimpleName() + ")")
                            : new Answer(
                                    !explicit || response.statusCode() < 400, "answered " + response.statusCode()));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(new Answer(false, "not asked: the local cluster is closing"));
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
