package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HPA-like policy as an external scheduler: every sync period it reads each app's replicas and bounds
 * ({@code GET /v1/apps}) and its p95 ({@code GET /v1/apps/{id}/tracing}), asks {@link HpaPolicy}, and scales through
 * {@code PUT /v1/apps/{id}/replicas} with the arithmetic as the reason, as any external scheduler would.
 */
final class HpaController implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(HpaController.class);

    private final EmpApi api;
    private final HpaPolicy policy;
    private final Duration period;

    HpaController(EmpApi api, HpaPolicy policy, Duration period) {
        this.api = requireNonNull(api, "api is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.period = requireNonNull(period, "period is null");
    }

    @Override
    public void run() {
        Periodic.every(period, log, "hpa sync", this::sync);
    }

    private void sync() {
        Instant now = Instant.now();
        for (JsonNode app : api.apps()) {
            String name = app.path("name").asText();
            Optional<Double> target = latencyTarget(app.path("spec"));
            if (target.isEmpty() || !isScalable(app)) {
                continue;
            }
            JsonNode figures = api.tracing(name);
            double p95 =
                    figures.path("spans").asLong() > 0 ? figures.path("p95_ms").asDouble() : Double.NaN;
            JsonNode spec = app.path("spec");
            HpaPolicy.Input input = new HpaPolicy.Input(
                    name,
                    app.path("replicas").path("desired").asInt(),
                    spec.path("min_replicas").isNumber()
                            ? spec.get("min_replicas").asInt()
                            : 1,
                    spec.path("max_replicas").isNumber()
                            ? spec.get("max_replicas").asInt()
                            : 10,
                    p95,
                    target.get());
            policy.decide(input, now).ifPresent(decision -> {
                log.info("hpa scales {} {} -> {}: {}", name, decision.from(), decision.to(), decision.reason());
                api.scale(name, decision.to(), decision.reason());
            });
        }
    }

    /** An app still starting replicas may be scaled too (the HPA acts on pending pods); a stopped one is not. */
    private static boolean isScalable(JsonNode app) {
        return !"stopped".equals(app.path("state").asText());
    }

    private static Optional<Double> latencyTarget(JsonNode spec) {
        for (JsonNode metric : spec.path("quality_metrics")) {
            if ("latency_p95_ms".equals(metric.path("metric").asText())) {
                try {
                    return Optional.of(Double.parseDouble(metric.path("values").asText()));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
