package emp.gateway;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A route table that tests fill in: {@code user/app} to its route. */
final class MapRouteTable implements RouteTable {
    private final Map<String, Route> apps = new ConcurrentHashMap<>();

    /** The replicas, with a learned limit; with none, a request is answered 503 at once. */
    MapRouteTable put(String user, String app, List<Backend> backends) {
        return put(user, app, Route.to(backends));
    }

    MapRouteTable put(String user, String app, Route route) {
        apps.put(user + "/" + app, route);
        return this;
    }

    MapRouteTable remove(String user, String app) {
        apps.remove(user + "/" + app);
        return this;
    }

    @Override
    public Optional<Route> route(String user, String app) {
        return Optional.ofNullable(apps.get(user + "/" + app));
    }
}
