package emp.spi.scheduler;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.cluster.LoadFigures;
import java.util.List;
import java.util.Optional;

/**
 * One app as a scheduler sees it.
 *
 * @param app      the app
 * @param spec     its spec: quality metrics and replica bounds
 * @param replicas the replicas it should have now
 * @param ready    the replicas that are ready
 * @param metrics  its own measurements over the window
 * @param edges    its calls to other apps over the window
 * @param load     its load as the cluster's request path measured it, each second (arrivals, completions, in flight,
 *                 queued); empty where the cluster cannot measure it, as on Kubernetes, where spans remain the
 *                 signal. Added in 0.1 so that a scheduler sizes from demand rather than from latencies that include
 *                 queueing.
 */
public record AppView(
        AppRef app,
        AppSpec spec,
        int replicas,
        int ready,
        WindowMetrics metrics,
        List<EdgeMetrics> edges,
        Optional<LoadFigures> load) {
    public AppView {
        requireNonNull(app, "app is null");
        requireNonNull(spec, "spec is null");
        requireNonNull(metrics, "metrics is null");
        edges = List.copyOf(edges);
        requireNonNull(load, "load is null");
    }

    /** A view without the cluster's load figures: what a cluster that cannot measure them gives. */
    public AppView(AppRef app, AppSpec spec, int replicas, int ready, WindowMetrics metrics, List<EdgeMetrics> edges) {
        this(app, spec, replicas, ready, metrics, edges, Optional.empty());
    }
}
