package emp.gateway;

import java.util.List;
import java.util.Optional;

/**
 * Tells the gateway where an app's ready replicas are. Called on the gateway's event loops for every request, so
 * it must answer from memory, without blocking.
 */
@FunctionalInterface
public interface RouteTable {
    /**
     * @return empty when {@code user} has no app called {@code app}; otherwise the app's ready replicas now (an empty
     *         list when it is stopped or none is ready yet)
     */
    Optional<List<Backend>> backends(String user, String app);
}
