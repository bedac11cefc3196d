package emp.cluster.mesos;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import java.util.List;
import java.util.Map;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;
import org.junit.jupiter.api.Test;

class PlacementTest {
    private static final AppRef WEB = new AppRef("alice", "web");
    private static final AppRef DB = new AppRef("alice", "db");

    @Test
    void replicasSpreadOverTheAgents() {
        List<OfferSpace> spaces = List.of(offer("a1", 4, 4096, 31000, 31009), offer("a2", 4, 4096, 31100, 31109));

        Placement.Result result =
                Placement.place(List.of(new Placement.Want(WEB, 4, 1, 128)), spaces, (app, agent) -> 0);

        assertThat(result.unplaceable()).isEmpty();
        assertThat(result.launches())
                .extracting(launch -> launch.space().agentId())
                .containsExactlyInAnyOrder("a1", "a1", "a2", "a2");
        assertThat(result.launches()).extracting(Placement.Launch::hostPort).doesNotHaveDuplicates();
    }

    @Test
    void theAgentAlreadyRunningFewerOfTheAppIsPreferred() {
        List<OfferSpace> spaces = List.of(offer("a1", 4, 4096, 31000, 31009), offer("a2", 4, 4096, 31100, 31109));
        Map<String, Integer> running = Map.of("a1", 2);

        Placement.Result result = Placement.place(
                List.of(new Placement.Want(WEB, 2, 1, 128)), spaces, (app, agent) -> running.getOrDefault(agent, 0));

        assertThat(result.launches())
                .extracting(launch -> launch.space().agentId())
                .containsExactly("a2", "a2");
    }

    @Test
    void appsTakeTurnsSoNoneStarves() {
        List<OfferSpace> spaces = List.of(offer("a1", 2, 4096, 31000, 31009));

        Placement.Result result = Placement.place(
                List.of(new Placement.Want(WEB, 5, 1, 128), new Placement.Want(DB, 1, 1, 128)),
                spaces,
                (app, agent) -> 0);

        assertThat(result.launches()).extracting(Placement.Launch::app).containsExactly(WEB, DB);
        assertThat(result.unplaceable()).containsOnlyKeys(WEB);
    }

    @Test
    void whatNoOfferHoldsIsSaidInNumbers() {
        List<OfferSpace> spaces = List.of(offer("a1", 2, 1024, 31000, 31009), offer("a2", 1.5, 8192, 31100, 31100));

        Placement.Result result =
                Placement.place(List.of(new Placement.Want(WEB, 1, 3, 512)), spaces, (app, agent) -> 0);

        assertThat(result.launches()).isEmpty();
        assertThat(result.unplaceable().get(WEB))
                .isEqualTo("no Mesos offer fits a task of 'alice/web': it needs 3 cpus, 512 MiB and a port; the"
                        + " largest offer has 2 cpus and 8192 MiB; lower its resources or add agents");
    }

    @Test
    void aTaskNeedsAPort() {
        List<OfferSpace> spaces = List.of(offer("a1", 4, 4096, 31000, 31000));

        Placement.Result result =
                Placement.place(List.of(new Placement.Want(WEB, 2, 1, 128)), spaces, (app, agent) -> 0);

        assertThat(result.launches()).hasSize(1);
        assertThat(result.unplaceable().get(WEB)).contains("and no port");
    }

    private static OfferSpace offer(String agent, double cpus, double mem, int portsBegin, int portsEnd) {
        return new OfferSpace(Offer.newBuilder()
                .setId(OfferID.newBuilder().setValue("offer-" + agent))
                .setFrameworkId(FrameworkID.newBuilder().setValue("f"))
                .setAgentId(AgentID.newBuilder().setValue(agent))
                .setHostname("10.0.0." + agent.substring(1))
                .addResources(scalar("cpus", cpus))
                .addResources(scalar("mem", mem))
                .addResources(Resource.newBuilder()
                        .setName("ports")
                        .setType(Value.Type.RANGES)
                        .setRanges(Value.Ranges.newBuilder()
                                .addRange(Value.Range.newBuilder()
                                        .setBegin(portsBegin)
                                        .setEnd(portsEnd))))
                .build());
    }

    private static Resource scalar(String name, double value) {
        return Resource.newBuilder()
                .setName(name)
                .setType(Value.Type.SCALAR)
                .setScalar(Value.Scalar.newBuilder().setValue(value))
                .build();
    }
}
