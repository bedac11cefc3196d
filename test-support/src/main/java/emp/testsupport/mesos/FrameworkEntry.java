package emp.testsupport.mesos;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import org.apache.mesos.v1.Protos.FrameworkInfo;

/**
 * A framework as the master knows it: its info, its subscription while it is connected, its offer filters and its
 * failover timer. Guarded by the master's lock.
 */
final class FrameworkEntry {
    final String id;
    FrameworkInfo info;
    Subscription subscription;
    boolean suppressed;
    final List<OfferFilter> filters = new ArrayList<>();
    ScheduledFuture<?> failoverTimer;

    FrameworkEntry(String id, FrameworkInfo info) {
        this.id = id;
        this.info = info;
    }

    boolean partitionAware() {
        return hasCapability(info, FrameworkInfo.Capability.Type.PARTITION_AWARE);
    }

    /** The role offers are allocated to: the first of a MULTI_ROLE framework's roles, else its role. */
    Optional<String> role() {
        return roles(info).stream().findFirst();
    }

    static boolean hasCapability(FrameworkInfo info, FrameworkInfo.Capability.Type type) {
        return info.getCapabilitiesList().stream().anyMatch(capability -> capability.getType() == type);
    }

    /** The roles a framework subscribes to: {@code roles} with MULTI_ROLE, else {@code role} (default "*"). */
    static Set<String> roles(FrameworkInfo info) {
        return hasCapability(info, FrameworkInfo.Capability.Type.MULTI_ROLE)
                ? new LinkedHashSet<>(info.getRolesList())
                : Set.of(info.getRole());
    }
}
