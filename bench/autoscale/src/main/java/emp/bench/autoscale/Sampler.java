package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every second (on the run's clock), reads every app's replicas ({@code GET /v1/apps}) and its figures
 * ({@code GET /v1/apps/{id}/tracing}), and remembers the pids of their replicas so they can be stopped should the
 * server leave them behind.
 */
final class Sampler implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Sampler.class);

    private final EmpApi api;
    private final PrivateServer server;
    private final long zeroNanos;
    private final int fromSecond;
    private final int toSecond;
    private final List<AppSample> samples = new ArrayList<>();

    Sampler(EmpApi api, PrivateServer server, long zeroNanos, int fromSecond, int toSecond) {
        this.api = requireNonNull(api, "api is null");
        this.server = requireNonNull(server, "server is null");
        this.zeroNanos = zeroNanos;
        this.fromSecond = fromSecond;
        this.toSecond = toSecond;
    }

    @Override
    public void run() {
        for (int second = fromSecond;
                second < toSecond && !Thread.currentThread().isInterrupted();
                second++) {
            long at = zeroNanos + second * 1_000_000_000L + 500_000_000L;
            long wait = at - System.nanoTime();
            while (wait > 0) {
                LockSupport.parkNanos(wait);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                wait = at - System.nanoTime();
            }
            try {
                sample(second);
            } catch (RuntimeException e) {
                log.warn("sample of second {} failed: {}", second, e.getMessage());
            }
        }
    }

    private void sample(int second) {
        List<AppSample> taken = new ArrayList<>();
        for (JsonNode app : api.apps()) {
            String name = app.path("name").asText();
            for (JsonNode instance : app.path("instances")) {
                if (instance.hasNonNull("pid")) {
                    server.sawReplica(instance.get("pid").asLong());
                }
            }
            JsonNode figures = api.tracing(name);
            boolean measured = figures.path("spans").asLong() > 0;
            taken.add(new AppSample(
                    second,
                    name,
                    app.path("replicas").path("desired").asInt(),
                    app.path("replicas").path("ready").asInt(),
                    figures.path("rate").asDouble(),
                    measured ? figures.path("p95_ms").asDouble() : Double.NaN,
                    measured ? figures.path("self_ms").asDouble() : Double.NaN,
                    figures.path("concurrency").asDouble()));
        }
        synchronized (samples) {
            samples.addAll(taken);
        }
    }

    List<AppSample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }
}
