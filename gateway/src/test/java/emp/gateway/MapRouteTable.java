package emp.gateway;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A route table that tests fill in: {@code user/app} to its ready replicas. */
final class MapRouteTable implements RouteTable {
    private final Map<String, List<Backend>> apps = new ConcurrentHashMap<>();

    MapRouteTable put(String user, String app, List<Backend> backends) {
        apps.put(user + "/" + app, List.copyOf(backends));
        return this;
    }

    @Override
    public Optional<List<Backend>> backends(String user, String app) {
        return Optional.ofNullable(apps.get(user + "/" + app));
    }
}
