package emp.testsupport.mesos;

import static emp.testsupport.mesos.MesosMessages.agentId;
import static emp.testsupport.mesos.MesosMessages.offerId;
import static emp.testsupport.mesos.StandInMaster.HOSTNAME;

import java.util.List;
import org.apache.mesos.v1.Protos.Address;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;

/** An outstanding offer: one agent's unallocated resources, allocated to a role of one framework. */
final class OfferEntry {
    final String id;
    final FrameworkEntry framework;
    final AgentEntry agent;
    final ResourceSet resources;
    final String role;

    OfferEntry(String id, FrameworkEntry framework, AgentEntry agent, ResourceSet resources, String role) {
        this.id = id;
        this.framework = framework;
        this.agent = agent;
        this.resources = resources;
        this.role = role;
    }

    Offer toProto(List<ExecutorID> executors) {
        return Offer.newBuilder()
                .setId(offerId(id))
                .setFrameworkId(framework.info.getId())
                .setAgentId(agentId(agent.id))
                .setHostname(HOSTNAME)
                .setUrl(org.apache.mesos.v1.Protos.URL
                        .newBuilder()
                        .setScheme("http")
                        .setAddress(Address.newBuilder()
                                .setHostname(HOSTNAME)
                                .setIp(HOSTNAME)
                                .setPort(agent.port))
                        .setPath("/slave(1)"))
                .addAllResources(resources.toProtos())
                .setAllocationInfo(Resource.AllocationInfo.newBuilder().setRole(role))
                .addAllExecutorIds(executors)
                .build();
    }
}
