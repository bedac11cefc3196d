package emp.examples.songs;

import brave.Span;
import brave.http.HttpClientHandler;
import brave.http.HttpClientRequest;
import brave.http.HttpClientResponse;
import brave.http.HttpTracing;
import brave.propagation.TraceContext;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * Calls the services this one depends on, each call a client span (a child of the server span it answers) whose
 * trace headers, B3 and W3C, travel with the request.
 */
final class Downstream {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final Map<ServiceKind, URI> bases;
    private final Map<ServiceKind, HttpClientHandler<HttpClientRequest, HttpClientResponse>> handlers =
            new EnumMap<>(ServiceKind.class);
    private final HttpClient client;

    /**
     * @param bases            the base URL of each dependency, without a trailing slash
     * @param localServiceName the service name of the caller's spans
     * @param tracing          the caller's tracing
     * @param executor         where answers are handled
     */
    Downstream(Map<ServiceKind, URI> bases, String localServiceName, HttpTracing tracing, Executor executor) {
        this.bases = Map.copyOf(bases);
        for (ServiceKind dependency : this.bases.keySet()) {
            handlers.put(
                    dependency,
                    HttpClientHandler.create(tracing.clientOf(remoteServiceName(localServiceName, dependency))));
        }
        // HTTP/1.1: the gateway and the JDK's server speak it; the default would first offer an h2c upgrade.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(executor)
                .build();
    }

    /**
     * Starts {@code GET <base of dependency><pathAndQuery>} in a client span whose parent is {@code parent}. The
     * future completes with the answer's JSON, or exceptionally with a {@link DependencyException} that says what
     * went wrong when the dependency cannot be reached, answers an error status or answers something not JSON.
     */
    CompletableFuture<JsonNode> get(ServiceKind dependency, String pathAndQuery, TraceContext parent) {
        HttpClientHandler<HttpClientRequest, HttpClientResponse> handler = handlers.get(dependency);
        if (handler == null) {
            throw new IllegalStateException("no base URL for dependency '" + dependency.id() + "'");
        }
        URI uri = URI.create(bases.get(dependency) + pathAndQuery);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .GET();
        JdkClientRequest request = new JdkClientRequest("GET", uri, builder);
        Span span = handler.handleSendWithParent(request, parent);
        CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            sent = client.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (RuntimeException e) {
            handler.handleReceive(new JdkClientResponse(request, 0, e), span);
            return CompletableFuture.failedFuture(unreachable(dependency, uri, e));
        }
        return sent.handle((response, failure) -> {
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            handler.handleReceive(
                    new JdkClientResponse(request, response == null ? 0 : response.statusCode(), cause), span);
            if (cause != null) {
                throw unreachable(dependency, uri, cause);
            }
            if (response.statusCode() >= 300) {
                throw new DependencyException(
                        "dependency '" + dependency.id() + "' answered " + response.statusCode() + " to GET " + uri
                                + "; see its logs, or its span in this trace",
                        null);
            }
            try {
                return Json.MAPPER.readTree(response.body());
            } catch (IOException e) {
                throw new DependencyException(
                        "dependency '" + dependency.id() + "' answered GET " + uri
                                + " with something that is not JSON; check that " + dependency.urlVariable()
                                + " points at the " + dependency.id() + " service",
                        e);
            }
        });
    }

    /**
     * Waits for a call started with {@link #get}.
     *
     * @throws DependencyException when the call failed
     */
    static <T> T await(CompletableFuture<T> call) throws InterruptedException {
        try {
            return call.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DependencyException failure) {
                throw failure;
            }
            throw new DependencyException("a dependency call failed: " + e.getCause(), e.getCause());
        }
    }

    private static DependencyException unreachable(ServiceKind dependency, URI uri, Throwable cause) {
        return new DependencyException(
                "dependency '" + dependency.id() + "' could not be reached at " + uri + " (" + cause
                        + "); check that it runs and that " + dependency.urlVariable() + " points at it",
                cause);
    }

    /**
     * The name a client span gives the service it calls, in the caller's own naming: under EMP the caller is
     * {@code alice/aggregator} and its dependency {@code songs} is the app {@code alice/songs}.
     */
    static String remoteServiceName(String localServiceName, ServiceKind dependency) {
        int slash = localServiceName.indexOf('/');
        return slash >= 0 ? localServiceName.substring(0, slash + 1) + dependency.id() : "songs-" + dependency.id();
    }
}
