package emp.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodePoolTest {
    private final NodePool pool = new NodePool(4, 4000, 4096);

    @Test
    void replicasOfAnEmptyClusterSpreadOnePerNode() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            names.add(pool.take(new Demand(500, 512)).name());
        }

        assertThat(names).containsExactly("node-1", "node-2", "node-3", "node-4", "node-1", "node-2");
        assertThat(pool.idle()).isZero();
    }

    @Test
    void aReplicaGoesWhereTheMostRoomIsLeft() {
        NodePool.Node first = pool.take(new Demand(3000, 128));
        pool.take(new Demand(1000, 128));
        pool.take(new Demand(1000, 128));
        pool.take(new Demand(1000, 128));

        // node-1 has 1 cpu left, the others 3: the next goes to node-2, the lowest-numbered of those.
        assertThat(pool.take(new Demand(100, 128)).name()).isEqualTo("node-2");
        assertThat(first.free()).isEqualTo(new Demand(1000, 3968));
        assertThat(pool.roomiest().name()).isEqualTo("node-3");
    }

    @Test
    void aDemandTheRoomiestNodeCannotTakeFindsOneThatCan() {
        NodePool two = new NodePool(2, 4000, 4096);
        NodePool.Node memoryTaken = two.take(new Demand(100, 3072));
        NodePool.Node cpusTaken = two.take(new Demand(2000, 128));
        assertThat(two.roomiest()).isSameAs(cpusTaken);

        NodePool.Node node = two.take(new Demand(3500, 64));

        assertThat(node).as("the only node with 3.5 cpus free").isSameAs(memoryTaken);
    }

    @Test
    void aDemandThatFitsNowhereWaitsUntilRoomIsGivenBack() {
        NodePool one = new NodePool(1, 4000, 4096);
        NodePool.Node node = one.take(new Demand(3000, 1024));
        Demand big = new Demand(2000, 256);

        assertThat(one.take(big)).isNull();
        assertThat(one.take(new Demand(2500, 256)))
                .as("larger than one that did not fit")
                .isNull();
        assertThat(one.whyNot("alice/web", big))
                .contains("'alice/web'")
                .contains("it needs 2 cpus and 256 MiB")
                .contains("node-1, has 1 cpus and 3072 MiB free")
                .contains("'cluster.sim.nodes'");

        one.give(node, new Demand(3000, 1024));

        assertThat(one.take(big)).isSameAs(node);
        assertThat(node.free()).isEqualTo(new Demand(2000, 3840));
    }
}
