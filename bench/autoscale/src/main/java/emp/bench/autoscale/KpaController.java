package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KPA-like policy as an external scheduler: every tick (2 s, Knative's {@code tick-interval}) it reads each app's
 * replicas and bounds ({@code GET /v1/apps}) and its concurrency, asks {@link KpaPolicy}, and scales through
 * {@code PUT /v1/apps/{id}/replicas} with the arithmetic as the reason, as any external scheduler would.
 *
 * <p>The concurrency comes from {@code GET /v1/apps/{id}/load}: each past second's {@code mean_in_flight +
 * mean_queued}, which is what Knative's queue-proxy reports (requests in the replica and waiting for it). When that
 * answers 404 (a cluster that cannot measure it), the controller falls back to the {@code concurrency} of
 * {@code GET /v1/apps/{id}/tracing}, one reading a tick, kept for a stable window; that figure is already a mean over
 * the platform's 10 s trace window, so the panic window is then in effect 10 s rather than 6.
 */
final class KpaController implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(KpaController.class);

    private final EmpApi api;
    private final KpaPolicy policy;
    private final Duration tick;
    private final Map<String, Deque<KpaPolicy.Observation>> tracingReadings = new HashMap<>();
    private final Map<String, String> sources = new HashMap<>();

    KpaController(EmpApi api, KpaPolicy policy, Duration tick) {
        this.api = requireNonNull(api, "api is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.tick = requireNonNull(tick, "tick is null");
    }

    @Override
    public void run() {
        Periodic.every(tick, log, "kpa tick", this::sync);
    }

    private void sync() {
        Instant now = Instant.now();
        for (JsonNode app : api.apps()) {
            String name = app.path("name").asText();
            if ("stopped".equals(app.path("state").asText())) {
                continue;
            }
            try {
                JsonNode spec = app.path("spec");
                KpaPolicy.Input input = new KpaPolicy.Input(
                        name,
                        app.path("replicas").path("desired").asInt(),
                        app.path("replicas").path("ready").asInt(),
                        spec.path("min_replicas").isNumber()
                                ? spec.get("min_replicas").asInt()
                                : 1,
                        spec.path("max_replicas").isNumber()
                                ? spec.get("max_replicas").asInt()
                                : 10,
                        observe(name, now));
                policy.decide(input, now).ifPresent(decision -> {
                    log.info("kpa scales {} {} -> {}: {}", name, decision.from(), decision.to(), decision.reason());
                    api.scale(name, decision.to(), decision.reason());
                });
            } catch (RuntimeException e) {
                log.warn("kpa could not judge '{}' this tick: {}", name, e.getMessage());
            }
        }
    }

    private List<KpaPolicy.Observation> observe(String app, Instant now) {
        Optional<JsonNode> load = api.load(app);
        if (load.isPresent()) {
            source(app, "GET /v1/apps/{id}/load");
            tracingReadings.remove(app);
            return fromLoad(load.get(), now);
        }
        source(app, "GET /v1/apps/{id}/tracing (the load endpoint answered 404)");
        Deque<KpaPolicy.Observation> readings = tracingReadings.computeIfAbsent(app, name -> new ArrayDeque<>());
        readings.addLast(new KpaPolicy.Observation(
                now, Math.max(0, api.tracing(app).path("concurrency").asDouble())));
        Instant oldest = now.minus(policy.parameters().stableWindow());
        while (!readings.isEmpty() && !readings.peekFirst().at().isAfter(oldest)) {
            readings.removeFirst();
        }
        return List.copyOf(readings);
    }

    private void source(String app, String source) {
        if (!source.equals(sources.put(app, source))) {
            log.info("kpa reads the concurrency of '{}' from {}", app, source);
        }
    }

    /**
     * The seconds of a {@code GET /v1/apps/{id}/load} answer as observations: the newest (last) second at {@code now},
     * each earlier one a second before the next, each {@code mean_in_flight + mean_queued}.
     */
    static List<KpaPolicy.Observation> fromLoad(JsonNode load, Instant now) {
        JsonNode seconds = load.path("seconds");
        if (!seconds.isArray()) {
            throw new IllegalStateException("GET /v1/apps/{id}/load answered without a 'seconds' list: " + load);
        }
        List<KpaPolicy.Observation> observations = new ArrayList<>();
        int count = seconds.size();
        for (int i = 0; i < count; i++) {
            JsonNode second = seconds.get(i);
            double concurrency = second.path("mean_in_flight").asDouble()
                    + second.path("mean_queued").asDouble();
            observations.add(new KpaPolicy.Observation(now.minusSeconds(count - 1 - i), Math.max(0, concurrency)));
        }
        return observations;
    }
}
