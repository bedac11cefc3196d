package emp.cluster.mesos;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;

/**
 * What is left of one offer while EMP fits tasks into it: the unreserved {@code cpus}, {@code mem} and {@code ports}
 * offered to EMP's role (resources reserved for a role, disks and others are left alone). Not thread-safe.
 */
final class OfferSpace {
    final Offer offer;
    /** The role the offer's resources are allocated to, which the task's resources must name too. */
    final String allocationRole;

    private double cpus;
    private double mem;
    private final List<long[]> ports = new ArrayList<>();
    private final Map<Object, Integer> placed = new HashMap<>();

    OfferSpace(Offer offer) {
        this.offer = requireNonNull(offer, "offer is null");
        String role = null;
        for (Resource resource : offer.getResourcesList()) {
            if (resource.getReservationsCount() > 0 || resource.hasReservation() || resource.hasDisk()) {
                continue;
            }
            if (role == null && resource.hasAllocationInfo()) {
                role = resource.getAllocationInfo().getRole();
            }
            switch (resource.getName()) {
                case "cpus" -> cpus += resource.getScalar().getValue();
                case "mem" -> mem += resource.getScalar().getValue();
                case "ports" -> {
                    for (Value.Range range : resource.getRanges().getRangeList()) {
                        ports.add(new long[] {range.getBegin(), range.getEnd()});
                    }
                }
                default -> {
                    // Not a resource EMP's tasks use.
                }
            }
        }
        this.allocationRole = role;
    }

    double cpus() {
        return cpus;
    }

    double mem() {
        return mem;
    }

    boolean hasPort() {
        return !ports.isEmpty();
    }

    /** Whether a task of {@code taskCpus} and {@code taskMem} MiB, with one port, fits in what is left. */
    boolean fits(double taskCpus, double taskMem) {
        // Mesos compares scalars to three decimal places; a little slack keeps 0.1 + 0.2 from failing 0.3.
        return cpus + 0.0005 >= taskCpus && mem + 0.0005 >= taskMem && hasPort();
    }

    /** Takes a task's share; returns the host port it gets. Call only when {@link #fits}. */
    int take(double taskCpus, double taskMem, Object app) {
        cpus -= taskCpus;
        mem -= taskMem;
        long[] range = ports.get(0);
        int port = (int) range[0];
        if (range[0] == range[1]) {
            ports.remove(0);
        } else {
            range[0]++;
        }
        placed.merge(app, 1, Integer::sum);
        return port;
    }

    /** How many tasks of {@code app} were placed in this offer. */
    int placed(Object app) {
        return placed.getOrDefault(app, 0);
    }

    String agentId() {
        return offer.getAgentId().getValue();
    }
}
