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
 * @param message   what the cluster says of the app as a whole when no replica can say it (Kubernetes makes no pod:
 *                  {@code FailedCreate: ... exceeded quota}), or null
 */
public record AppStatus(AppRef app, boolean deployed, int desired, List<InstanceStatus> instances, String message) {
    public AppStatus {
        requireNonNull(app, "app is null");
        instances = List.copyOf(instances);
    }

    /** A status with nothing to say of the app as a whole. */
    public AppStatus(AppRef app, boolean deployed, int desired, List<InstanceStatus> instances) {
        this(app, deployed, desired, instances, null);
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
