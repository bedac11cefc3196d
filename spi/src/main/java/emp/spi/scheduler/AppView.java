package emp.spi.scheduler;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import java.util.List;

/**
 * One app as a scheduler sees it.
 *
 * @param app      the app
 * @param spec     its spec: quality metrics and replica bounds
 * @param replicas the replicas it should have now
 * @param ready    the replicas that are ready
 * @param metrics  its own measurements over the window
 * @param edges    its calls to other apps over the window
 */
public record AppView(
        AppRef app, AppSpec spec, int replicas, int ready, WindowMetrics metrics, List<EdgeMetrics> edges) {
    public AppView {
        requireNonNull(app, "app is null");
        requireNonNull(spec, "spec is null");
        requireNonNull(metrics, "metrics is null");
        edges = List.copyOf(edges);
    }
}
