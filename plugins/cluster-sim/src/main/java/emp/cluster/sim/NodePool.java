package emp.cluster.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * The simulated nodes and their free room. A replica goes to the node with the most free room, as the lesser of its
 * free share of cpus and of memory, the lowest-numbered among equals: so an empty cluster's replicas spread one per
 * node, and a full one's fill the gaps. The nodes are kept ordered by free room, so taking and giving back are
 * logarithmic in the number of nodes. Not thread-safe: the cluster's lock guards it.
 */
final class NodePool {
    /** One hollow node: its number and what is free on it. */
    static final class Node {
        private final int index;
        private long freeMillicores;
        private long freeMib;
        private int replicas;

        private Node(int index, long millicores, long mib) {
            this.index = index;
            this.freeMillicores = millicores;
            this.freeMib = mib;
        }

        /** {@code node-1} to {@code node-N}. */
        String name() {
            return "node-" + (index + 1);
        }

        Demand free() {
            return new Demand(freeMillicores, freeMib);
        }
    }

    /** Failed demands kept to refuse larger ones at once, until room is given back. */
    private static final int FAILED_KEPT = 16;

    private final long millicores;
    private final long mib;
    private final TreeSet<Node> byRoom;
    /** Demands that fitted no node since room was last given back: any demand at least as large fits none either. */
    private final List<Demand> failed = new ArrayList<>();

    NodePool(int nodes, long millicores, long mib) {
        if (nodes < 1) {
            throw new IllegalArgumentException("no nodes: " + nodes);
        }
        this.millicores = millicores;
        this.mib = mib;
        // Every node has the same capacity, so shares compare as cross products, exactly and without division.
        Comparator<Node> mostRoom = Comparator.comparingLong(
                        (Node node) -> Math.min(node.freeMillicores * mib, node.freeMib * millicores))
                .reversed()
                .thenComparingInt(node -> node.index);
        this.byRoom = new TreeSet<>(mostRoom);
        for (int index = 0; index < nodes; index++) {
            byRoom.add(new Node(index, millicores, mib));
        }
    }

    /** Reserves {@code demand} on the node with the most free room where it fits; null when it fits on none. */
    Node take(Demand demand) {
        for (Demand larger : failed) {
            if (demand.atLeast(larger)) {
                return null;
            }
        }
        // The roomiest node fits all but lopsided demands (many cpus, little memory); those look further down.
        for (Node node : byRoom) {
            if (demand.fitsIn(node.freeMillicores, node.freeMib)) {
                byRoom.remove(node);
                node.freeMillicores -= demand.millicores();
                node.freeMib -= demand.mib();
                node.replicas++;
                byRoom.add(node);
                return node;
            }
        }
        if (failed.size() < FAILED_KEPT) {
            failed.add(demand);
        }
        return null;
    }

    /** Frees what {@link #take} reserved on {@code node}. */
    void give(Node node, Demand demand) {
        byRoom.remove(node);
        node.freeMillicores = Math.min(millicores, node.freeMillicores + demand.millicores());
        node.freeMib = Math.min(mib, node.freeMib + demand.mib());
        node.replicas--;
        byRoom.add(node);
        failed.clear();
    }

    /** The node with the most free room now. */
    Node roomiest() {
        return byRoom.first();
    }

    int size() {
        return byRoom.size();
    }

    /** What a whole node has. */
    Demand capacity() {
        return new Demand(millicores, mib);
    }

    /** How many nodes run no replica. */
    long idle() {
        return byRoom.stream().filter(node -> node.replicas == 0).count();
    }

    /**
     * Why {@code demand} fits no node: {@code no simulated node has room for a replica of 'a/b': it needs 2 cpus and
     * 128 MiB; the node with the most free room, node-3, has 1 cpus and 3968 MiB free...}.
     */
    String whyNot(String app, Demand demand) {
        Node roomiest = roomiest();
        return "no simulated node has room for a replica of '" + app + "': it needs " + demand
                + "; the node with the most free room, " + roomiest.name() + ", has " + roomiest.free()
                + " free; scale other apps down, lower its resources, or add nodes ('" + SimClusterConfig.SECTION + "."
                + SimClusterConfig.NODES + "')";
    }
}
