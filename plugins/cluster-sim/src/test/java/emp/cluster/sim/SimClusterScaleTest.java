package emp.cluster.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.PluginConfig;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterEvent;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's scale: 10,000 apps of 4 replicas on 4,000 simulated nodes. The figures are CPU time (of the calling thread
 * and of the scheduler thread, not wall-clock) and retained heap; they are printed, and checked only as ratios to a
 * run a tenth the size, so that a machine's speed cannot fail the test but work that grows faster than the cluster
 * does.
 */
class SimClusterScaleTest {
    private static final int REPLICAS = 4;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Test
    void aThousandAppsDeployedAllBecomeReady() {
        SimClusterManager manager = new SimClusterManager(SimClusterConfig.defaults(), Clock.systemUTC());
        manager.start();
        try {
            List<AppRef> apps = new ArrayList<>();
            for (int i = 1; i <= 1_000; i++) {
                AppRef app = new AppRef("owner-" + i % 10, "app-" + i);
                apps.add(app);
                manager.deploy(new AppDeployment(app, SimTestCluster.app(app.name()), 2, Map.of()));
            }

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (AppRef app : apps) {
                    AppStatus status = manager.status(app);
                    assertThat(status.ready()).as("%s: %s", app, status).isEqualTo(2);
                }
            });
            assertThat(manager.apps()).containsExactlyInAnyOrderElementsOf(apps);
            assertThat(manager.check().detail()).contains("2000 of 2000 replica(s) ready, 0 pending");
        } finally {
            manager.close();
        }
    }

    @Test
    void tenThousandAppsOnFourThousandNodesCostNoMorePerReplicaThanATenthOfThem() throws Exception {
        run(1_000, 400); // warms the JIT up
        Figures tenth = run(1_000, 400);
        Figures full = run(10_000, 4_000);
        System.out.println(tenth);
        System.out.println(full);

        assertThat(full.startCpuPerReplica())
                .as("CPU to place and start a replica, at 10x the size")
                .isLessThan(3 * tenth.startCpuPerReplica());
        assertThat(full.passCpuPerApp())
                .as("CPU of a reconciler's pass per app, at 10x the size")
                .isLessThan(3 * tenth.passCpuPerApp());
        assertThat(full.heapPerReplica())
                .as("heap per replica, at 10x the size")
                .isLessThan(2 * tenth.heapPerReplica());
    }

    /** Deploys {@code apps} apps on {@code nodes} nodes with the default latencies, and measures until all are ready. */
    private static Figures run(int apps, int nodes) throws Exception {
        List<AppDeployment> deployments = new ArrayList<>(apps);
        for (int i = 1; i <= apps; i++) {
            AppRef app = new AppRef("owner-" + i % 100, "app-" + i);
            deployments.add(new AppDeployment(
                    app, SimTestCluster.app(app.name()), REPLICAS, Map.of("EMP_SERVICE_NAME", app.toString())));
        }
        long heapBefore = usedHeap();
        SimClusterManager manager = new SimClusterManager(
                SimClusterConfig.from(new PluginConfig(SimClusterConfig.SECTION, Map.of("nodes", "" + nodes))),
                Clock.systemUTC());
        AtomicLong ready = new AtomicLong();
        manager.watch(event -> {
            if (event.type() == ClusterEvent.Type.READY) {
                ready.incrementAndGet();
            }
        });
        manager.start();
        try {
            long schedulerBefore = manager.schedulerCpuNanos();
            long callerBefore = THREADS.getCurrentThreadCpuTime();
            deployments.forEach(manager::deploy);
            long deployCpu = THREADS.getCurrentThreadCpuTime() - callerBefore;
            await().atMost(Duration.ofSeconds(60)).until(() -> ready.get() == (long) apps * REPLICAS);
            long schedulerCpu = manager.schedulerCpuNanos() - schedulerBefore;

            // What the host's reconciler does for every app on each pass: deploy what it holds, read the status.
            long passBefore = THREADS.getCurrentThreadCpuTime();
            long readyInStatus = 0;
            for (AppDeployment deployment : deployments) {
                manager.deploy(deployment);
                readyInStatus += manager.status(deployment.app()).ready();
            }
            long passCpu = THREADS.getCurrentThreadCpuTime() - passBefore;
            assertThat(readyInStatus).isEqualTo((long) apps * REPLICAS);

            long heap = usedHeap() - heapBefore;
            return new Figures(apps, apps * REPLICAS, nodes, deployCpu, schedulerCpu, passCpu, heap);
        } finally {
            manager.close();
        }
    }

    /** The heap in use once what is garbage is collected. */
    private static long usedHeap() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private record Figures(
            int apps, int replicas, int nodes, long deployCpu, long schedulerCpu, long passCpu, long heap) {
        double startCpuPerReplica() {
            return (deployCpu + schedulerCpu) / (double) replicas;
        }

        double passCpuPerApp() {
            return passCpu / (double) apps;
        }

        double heapPerReplica() {
            return heap / (double) replicas;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "cluster-sim: %,d apps, %,d replicas on %,d nodes: deploy %.0f ms CPU (caller), placement and"
                            + " starts %.0f ms CPU (scheduler thread), %.1f µs per replica; a reconciler's pass"
                            + " (deploy and status of every app) %.0f ms CPU; heap retained %.1f MiB, %.0f bytes per"
                            + " replica",
                    apps,
                    replicas,
                    nodes,
                    deployCpu / 1e6,
                    schedulerCpu / 1e6,
                    startCpuPerReplica() / 1e3,
                    passCpu / 1e6,
                    heap / (1024.0 * 1024.0),
                    heapPerReplica());
        }
    }
}
