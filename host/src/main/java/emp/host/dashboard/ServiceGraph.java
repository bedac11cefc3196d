package emp.host.dashboard;

import java.time.Instant;
import java.util.List;

/**
 * A user's system as its calls draw it: the user's apps, the apps they call, and each call edge over the trace window.
 * Only calls made by the user's own apps are in it; an app of another user that they call shows as a node with its
 * name and nothing else of it.
 *
 * @param blamed the app a scheduler scaled up last within the last minutes, the bottleneck it found; null for none
 */
public record ServiceGraph(List<Node> nodes, List<Edge> edges, Blamed blamed) {
    public ServiceGraph {
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
    }

    /**
     * @param key         {@code owner/name}, as edges name it
     * @param appId       the app's id; null for another user's app
     * @param state       as the app list says; null for another user's app
     * @param p95Ms       null without requests in the window, and for another user's app
     * @param targetP95Ms its {@code latency_p95_ms} target; null for none
     * @param blamed      whether a scheduler scaled it up within the last minutes
     */
    public record Node(
            String key,
            String name,
            String owner,
            String appId,
            String state,
            Double p95Ms,
            Double targetP95Ms,
            double rate,
            Double errorRate,
            boolean blamed) {}

    /** @param rate calls per second; @param p95Ms the callee's p95 as the caller waited */
    public record Edge(String from, String to, double rate, double p95Ms, double errorRate) {}

    /** @param key the app, {@code owner/name}; @param reason the scheduler's, in its words */
    public record Blamed(String key, String reason, Instant time) {}
}
