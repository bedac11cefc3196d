package emp.testsupport.mesos;

import static emp.testsupport.mesos.FrameworkEntry.roles;
import static emp.testsupport.mesos.MesosMessages.ids;
import static emp.testsupport.mesos.MesosMessages.offerId;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's allocator: in each round, every subscribed framework that has not suppressed offers gets what each agent
 * has neither in use nor offered, unless it refused those resources for a while (DECLINE, the rest of an ACCEPT);
 * frameworks are served in subscription order. Also REVIVE, SUPPRESS and rescinding offers.
 */
final class Allocator {
    /** The master's parts log under its name, so that a test's logging setup has one logger to set. */
    private static final Logger log = LoggerFactory.getLogger(StandInMaster.class);

    private static final double DEFAULT_REFUSE_SECONDS = 5;

    private final MasterState master;

    Allocator(MasterState master) {
        this.master = master;
    }

    void allocateSoon() {
        try {
            master.timer.execute(() -> master.locked(this::allocate, "allocation"));
        } catch (RuntimeException e) {
            // Closed: no more offers.
        }
    }

    /** One allocation round: each subscribed, unsuppressed framework gets what each agent has unallocated. */
    void allocate() {
        if (master.paused || master.closed) {
            return;
        }
        long now = System.nanoTime();
        for (FrameworkEntry framework : master.frameworks.values()) {
            framework.filters.removeIf(filter -> filter.expiresAt() - now <= 0);
            Optional<String> role = framework.role();
            if (framework.subscription == null || framework.suppressed || role.isEmpty()) {
                continue;
            }
            List<Offer> batch = new ArrayList<>();
            for (AgentEntry agent : master.agents.values()) {
                ResourceSet available = agent.total.minus(agent.used).minus(offeredOn(agent));
                if (!available.allocatable() || filtered(framework, agent, available)) {
                    continue;
                }
                String id = master.masterId + "-O" + master.offerSequence++;
                OfferEntry offer = new OfferEntry(id, framework, agent, available.allocatedTo(role.get()), role.get());
                master.offers.put(id, offer);
                batch.add(offer.toProto(executorsOn(framework, agent)));
            }
            if (!batch.isEmpty()) {
                master.send(
                        framework,
                        Event.newBuilder()
                                .setType(Event.Type.OFFERS)
                                .setOffers(Event.Offers.newBuilder().addAllOffers(batch))
                                .build());
            }
        }
    }

    private ResourceSet offeredOn(AgentEntry agent) {
        ResourceSet offered = ResourceSet.EMPTY;
        for (OfferEntry offer : master.offers.values()) {
            if (offer.agent == agent) {
                offered = offered.plus(offer.resources.unallocated());
            }
        }
        return offered;
    }

    private static boolean filtered(FrameworkEntry framework, AgentEntry agent, ResourceSet available) {
        return framework.filters.stream()
                .anyMatch(filter ->
                        filter.agentId().equals(agent.id) && filter.resources().contains(available));
    }

    private List<ExecutorID> executorsOn(FrameworkEntry framework, AgentEntry agent) {
        Set<String> ids = new LinkedHashSet<>();
        for (GroupExecutor executor : master.groupExecutors.values()) {
            if (executor.frameworkId.equals(framework.id) && executor.agentId.equals(agent.id)) {
                ids.add(executor.executorId);
            }
        }
        return ids.stream()
                .map(id -> ExecutorID.newBuilder().setValue(id).build())
                .toList();
    }

    void rescind(OfferEntry offer) {
        master.offers.remove(offer.id);
        master.send(
                offer.framework,
                Event.newBuilder()
                        .setType(Event.Type.RESCIND)
                        .setRescind(Event.Rescind.newBuilder().setOfferId(offerId(offer.id)))
                        .build());
    }

    /** The offer's resources go back to the allocator, refused by its framework for a while if the filters say so. */
    void discard(OfferEntry offer, Filters filters) {
        master.offers.remove(offer.id);
        refuse(offer.framework, offer.agent, offer.resources.unallocated(), filters);
    }

    void refuse(FrameworkEntry framework, AgentEntry agent, ResourceSet resources, Filters filters) {
        double seconds = filters.getRefuseSeconds();
        if (Double.isNaN(seconds) || seconds < 0) {
            seconds = DEFAULT_REFUSE_SECONDS;
        }
        if (seconds == 0 || resources.isEmpty()) {
            return;
        }
        long nanos = (long) Math.min(seconds * 1e9, 365 * 24 * 3600 * 1e9);
        framework.filters.add(new OfferFilter(agent.id, resources, System.nanoTime() + nanos));
    }

    void decline(FrameworkEntry framework, Call.Decline decline) {
        for (OfferID id : decline.getOfferIdsList()) {
            OfferEntry offer = master.offers.get(id.getValue());
            if (offer == null || offer.framework != framework) {
                log.warn("ignoring decline of offer '{}' since it is no longer valid", id.getValue());
                continue;
            }
            discard(offer, decline.getFilters());
        }
    }

    void revive(FrameworkEntry framework, List<String> roles) {
        for (String role : roles) {
            if (!roles(framework.info).contains(role)) {
                log.warn(
                        "dropping REVIVE of framework '{}': revive role '{}' is not one of the frameworks's"
                                + " subscribed roles",
                        framework.id,
                        role);
                return;
            }
        }
        framework.filters.clear();
        framework.suppressed = false;
        allocateSoon();
    }

    void suppress(FrameworkEntry framework, List<String> roles) {
        for (String role : roles) {
            if (!roles(framework.info).contains(role)) {
                log.warn(
                        "dropping SUPPRESS of framework '{}': suppression role '{}' is not one of the frameworks's"
                                + " subscribed roles",
                        framework.id,
                        role);
                return;
            }
        }
        framework.suppressed = true;
    }
}
