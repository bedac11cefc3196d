package emp.gateway;

import emp.spi.AppRef;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the embedded gateway is told of each app: its ready replicas on this server (or, while it has none, those
 * another server of the control plane runs) and how its requests wait for them. The gateway's event loops read it for
 * every request, so it answers from concurrent maps alone; every change is passed on to the gateway at once, so that
 * waiting requests go to a replica the moment it is ready and a replica leaving the route is given nothing more.
 *
 * <p>Thread-safe.
 */
public final class GatewayRoutes implements RouteTable {
    private final Map<AppRef, Route> own = new ConcurrentHashMap<>();
    /** The ready replicas of apps that another server runs (see {@link emp.spi.cluster.ClusterManager#runningElsewhere}). */
    private volatile Map<AppRef, List<Backend>> elsewhere = Map.of();

    private volatile Gateway gateway;

    /** The gateway to tell of changes; until then, changes are only kept. */
    public void attach(Gateway started) {
        gateway = started;
    }

    /** Sets the app's route on this server. */
    public void put(AppRef app, Route route) {
        own.put(app, route);
        changed(app);
    }

    public void remove(AppRef app) {
        if (own.remove(app) != null) {
            changed(app);
        }
    }

    public void clear() {
        Set<AppRef> all = Set.copyOf(own.keySet());
        own.clear();
        all.forEach(this::changed);
    }

    /**
     * The replicas of the apps another server runs now, as the store last recorded them, in place of the last ones
     * given: those ready at an {@code http} endpoint are routed to.
     */
    public void elsewhereInstances(Map<AppRef, List<InstanceStatus>> instances) {
        Map<AppRef, List<Backend>> backends = new HashMap<>();
        instances.forEach((ref, replicas) -> backends.put(
                ref,
                replicas.stream()
                        .filter(replica -> replica.state() == InstanceState.READY && replica.endpoint() != null)
                        .filter(replica -> "http".equals(replica.endpoint().getScheme())
                                && replica.endpoint().getPort() > 0)
                        .map(replica -> new Backend(
                                replica.id(),
                                new InetSocketAddress(
                                        replica.endpoint().getHost(),
                                        replica.endpoint().getPort())))
                        .toList()));
        elsewhere(backends);
    }

    /** The ready replicas of the apps another server runs now, in place of the last ones given. */
    public void elsewhere(Map<AppRef, List<Backend>> replicas) {
        Map<AppRef, List<Backend>> before = elsewhere;
        elsewhere = Map.copyOf(replicas);
        Set<AppRef> touched = new HashSet<>(before.keySet());
        touched.addAll(replicas.keySet());
        for (AppRef app : touched) {
            if (!replicas.getOrDefault(app, List.of()).equals(before.getOrDefault(app, List.of()))) {
                changed(app);
            }
        }
    }

    /** Whether another server runs the app. */
    public boolean runsElsewhere(AppRef app) {
        return elsewhere.containsKey(app);
    }

    /** The app's route now; empty for an app neither this server nor another runs. */
    public Optional<Route> route(AppRef app) {
        Route mine = own.get(app);
        if (mine != null && !mine.backends().isEmpty()) {
            return Optional.of(mine);
        }
        // None of its own ready yet (it has just taken the lead): the other server's replicas, while they are known.
        List<Backend> other = elsewhere.get(app);
        if (other != null && (!other.isEmpty() || mine == null)) {
            return Optional.of(
                    mine == null
                            ? Route.to(other)
                            : new Route(other, mine.concurrency(), mine.queueTimeout(), mine.waitsForReplicas()));
        }
        return Optional.ofNullable(mine);
    }

    @Override
    public Optional<Route> route(String user, String app) {
        return route(new AppRef(user, app));
    }

    private void changed(AppRef app) {
        Gateway told = gateway;
        if (told != null) {
            told.routesChanged(app.owner(), app.name());
        }
    }
}
