package emp.host.apps;

import static java.util.Objects.requireNonNull;

import emp.spi.AppRef;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * What the leading server's cluster runs for one app, as the store holds it for the other servers: their API shows
 * it, and their gateway routes to its ready replicas.
 *
 * @param server    the id of the server that observed it
 * @param owner     the app's owner
 * @param name      the app's name
 * @param deployed  whether the cluster holds the app
 * @param desired   the replicas the cluster drives towards
 * @param instances the replicas, as the API shows them
 * @param message   what the cluster said of the app as a whole, or null
 */
record ObservedStatus(
        String server,
        String owner,
        String name,
        boolean deployed,
        int desired,
        List<AppView.InstanceView> instances,
        String message) {
    ObservedStatus {
        requireNonNull(server, "server is null");
        requireNonNull(owner, "owner is null");
        requireNonNull(name, "name is null");
        instances = List.copyOf(instances);
    }

    static ObservedStatus of(String server, AppStatus status) {
        return new ObservedStatus(
                server,
                status.app().owner(),
                status.app().name(),
                status.deployed(),
                status.desired(),
                status.instances().stream().map(AppView.InstanceView::of).toList(),
                status.message());
    }

    AppRef app() {
        return new AppRef(owner, name);
    }

    AppStatus toStatus() {
        return new AppStatus(
                app(),
                deployed,
                desired,
                instances.stream().map(ObservedStatus::toInstance).toList(),
                message);
    }

    private static InstanceStatus toInstance(AppView.InstanceView view) {
        return new InstanceStatus(
                view.id(),
                InstanceState.valueOf(view.state().toUpperCase(Locale.ROOT)),
                view.endpoint() == null ? null : URI.create(view.endpoint()),
                view.pid() == null ? OptionalLong.empty() : OptionalLong.of(view.pid()),
                view.restarts(),
                view.since(),
                view.message(),
                Boolean.TRUE.equals(view.outdated()));
    }
}
