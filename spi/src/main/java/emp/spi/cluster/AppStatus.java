package emp.spi.cluster;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import java.util.List;

/**
 * What the cluster runs for one app.
 *
 * @param app       the app
 * @param deployed  whether the cluster holds the app at all
 * @param desired   the replica count the cluster is driving towards
 * @param instances the replicas that exist now, in whatever state
 */
public record AppStatus(AppRef app, boolean deployed, int desired, List<InstanceStatus> instances) {
    public AppStatus {
        requireNonNull(app, "app is null");
        instances = List.copyOf(instances);
    }

    public static AppStatus absent(AppRef app) {
        return new AppStatus(app, false, 0, List.of());
    }

    /** How many replicas are ready to serve. */
    public int ready() {
        return (int) instances.stream()
                .filter(instance -> instance.state() == InstanceState.READY)
                .count();
    }
}
