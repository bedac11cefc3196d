package emp.gateway;

import java.util.Optional;

/**
 * Tells the gateway where an app's ready replicas are and how to hold its requests. Called on the gateway's event
 * loops for every request, so it must answer from memory, without blocking. When an app's route changes (a replica
 * became ready or is being stopped), tell the gateway with {@link Gateway#routesChanged}, so that requests waiting
 * for a replica are given the new one at once.
 */
@FunctionalInterface
public interface RouteTable {
    /**
     * @return empty when {@code user} has no app called {@code app}; otherwise the app's route now
     */
    Optional<Route> route(String user, String app);
}
