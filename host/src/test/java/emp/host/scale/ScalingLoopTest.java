package emp.host.scale;

import static org.assertj.core.api.Assertions.assertThat;

import emp.host.TestServer;
import emp.host.apps.AppEvent;
import emp.host.apps.AppRepository;
import emp.host.apps.AppService;
import emp.host.apps.EventLog;
import emp.host.apps.ObservedStatuses;
import emp.host.apps.Quota;
import emp.host.apps.SecretBox;
import emp.host.lead.Leadership;
import emp.host.plugin.ExtensionPointKind;
import emp.host.plugin.LoadedExtension;
import emp.host.plugin.PluginHost;
import emp.host.store.CachedStore;
import emp.host.tracing.SpanWindows;
import emp.host.tracing.TraceAggregator;
import emp.spi.AppRef;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.app.AppSpec;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.ClusterManagerFactory;
import emp.spi.scheduler.ScaleDecision;
import emp.spi.scheduler.Scheduler;
import emp.spi.store.StateStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop on the real store and cluster plugins, with schedulers written here to decide, fail or hang on cue. The
 * reconciler is left out, so decisions change the desired state only and no process starts.
 */
class ScalingLoopTest {
    private static final AppRef SONGS = new AppRef("alice", "songs");

    @TempDir
    Path dataDir;

    private PluginHost plugins;
    private StateStore store;
    private ClusterManager cluster;
    private AppService apps;
    private EventLog events;
    private TraceAggregator aggregator;
    private final AtomicReference<Scheduler> scheduler = new AtomicReference<>(view -> List.of());
    private ScalingLoop loop;

    @BeforeEach
    void setUp() {
        plugins = new PluginHost(TestServer.pluginsDir());
        plugins.load();
        store = TestServer.fileStore(plugins, dataDir.resolve("store"));
        LoadedExtension local = plugins.select(ExtensionPointKind.CLUSTER, "local");
        cluster = local.create(
                ClusterManager.class,
                factory -> ((ClusterManagerFactory) factory)
                        .create(new PluginContext(
                                "cluster-local",
                                new PluginConfig("cluster.local", Map.of("gateway-port", "0", "sandbox", "none")),
                                dataDir.resolve("cluster"),
                                URI.create("http://127.0.0.1:1"),
                                Clock.systemUTC())));
        events = new EventLog(store, Clock.systemUTC(), 100);
        apps = new AppService(
                CachedStore.over(store, AppRepository.HELD_IN_MEMORY, Set.of(), 0),
                cluster,
                events,
                Clock.systemUTC(),
                () -> {},
                new ObservedStatuses(store, "test-server"),
                Quota.DEFAULT,
                SecretBox.of(new byte[32], "a test key"));
        aggregator = new TraceAggregator(
                new SpanWindows(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2)),
                app -> true,
                Clock.systemUTC(),
                Duration.ofSeconds(1),
                1000);
        apps.deploy(
                "alice",
                List.of(new AppSpec(
                        "songs",
                        null,
                        null,
                        null,
                        null,
                        null,
                        List.of("java"),
                        2,
                        1,
                        5,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null)));
        loop = new ScalingLoop(
                view -> scheduler.get().decide(view),
                "test",
                apps,
                cluster,
                aggregator,
                events,
                Clock.systemUTC(),
                new ScalingLoop.Settings(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(60),
                        Duration.ofMillis(300),
                        false),
                Leadership.alone());
    }

    @AfterEach
    void tearDown() {
        loop.close();
        aggregator.close();
        cluster.close();
        store.close();
        plugins.close();
    }

    private int replicas() {
        return apps.get("alice", "songs").replicas().desired();
    }

    private List<String> messages() {
        return apps.events("alice", "songs", 100, null).stream()
                .map(AppEvent::message)
                .toList();
    }

    @Test
    void aDecisionIsCarriedOutWithItsReasonWithinBoundsAndCooldowns() {
        scheduler.set(view -> {
            assertThat(view.apps()).containsKey(SONGS);
            assertThat(view.apps().get(SONGS).replicas()).isEqualTo(replicas());
            return List.of(new ScaleDecision(SONGS, 9, "p95 410 ms > 200 ms target"));
        });
        loop.tick();
        assertThat(replicas()).isEqualTo(5);
        assertThat(messages())
                .anySatisfy(message -> assertThat(message)
                        .contains("scaled songs 2 -> 5 by scheduler test: p95 410 ms > 200 ms target")
                        .contains("held to the app's 1..5 replicas"));

        scheduler.set(view -> List.of(new ScaleDecision(SONGS, 1, "idle")));
        loop.tick();
        assertThat(replicas()).as("the down cool-down holds").isEqualTo(5);
    }

    @Test
    void aSchedulerThatThrowsOrHangsIsSkippedForThatTick() {
        scheduler.set(view -> {
            throw new IllegalStateException("broken scheduler");
        });
        loop.tick();
        assertThat(replicas()).isEqualTo(2);

        scheduler.set(view -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(new ScaleDecision(SONGS, 4, "too late"));
        });
        loop.tick();
        assertThat(replicas()).isEqualTo(2);

        scheduler.set(view -> List.of(new ScaleDecision(SONGS, 3, "recovered")));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            loop.tick();
            assertThat(replicas()).isEqualTo(3);
        });
        assertThat(messages()).noneMatch(message -> message.contains("too late"));
    }

    @Test
    void aDryRunRecordsWithoutActing() {
        ScalingLoop dry = new ScalingLoop(
                view -> List.of(new ScaleDecision(SONGS, 4, "p95 over target")),
                "test",
                apps,
                cluster,
                aggregator,
                events,
                Clock.systemUTC(),
                new ScalingLoop.Settings(
                        Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), true),
                Leadership.alone());
        try {
            dry.tick();
        } finally {
            dry.close();
        }
        assertThat(replicas()).isEqualTo(2);
        assertThat(messages())
                .anySatisfy(message ->
                        assertThat(message).contains("would scale songs 2 -> 4").contains("dry run"));
    }

    @Test
    void stoppedAppsAreNotShownNorScaled() {
        apps.stop("alice", "songs");
        scheduler.set(view -> {
            assertThat(view.apps()).doesNotContainKey(SONGS);
            return List.of(new ScaleDecision(SONGS, 4, "ghost"));
        });
        loop.tick();
        assertThat(apps.get("alice", "songs").state()).isEqualTo("stopped");
        assertThat(messages()).noneMatch(message -> message.contains("ghost"));
    }
}
