package emp.tck.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.app.EnvVar;
import emp.spi.app.Rollout;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.ClusterManager;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ClusterManager} must show, whatever runs the replicas. A backend's test is a subclass
 * that says how to make a manager ({@link #newManager()}), what it can run ({@link #runnableSpec},
 * {@link #crashingSpec}) and what it cannot ({@link #unsupportedSpecs()}).
 *
 * <p>Each test gets a fresh, started manager and removes every app the manager reports before closing it, so a
 * backend shared between tests (a mock API server) starts each test empty. Waits are generous: a test only takes
 * long when something is wrong.
 */
public abstract class AbstractClusterManagerTck {
    /** The owner of every app the kit deploys. */
    protected static final String OWNER = "tck";

    private final List<ClusterEvent> events = new CopyOnWriteArrayList<>();
    private ClusterManager manager;

    /** A manager configured for this test (its own data folder, a free port...), not yet started. */
    protected abstract ClusterManager newManager();

    /** A spec this backend can run whose replicas become ready; the kit changes only its {@code envs}. */
    protected abstract AppSpec runnableSpec(String name);

    /** A spec this backend can run whose replicas start and then exit or fail soon after, again and again. */
    protected abstract AppSpec crashingSpec(String name);

    /** What this backend cannot run; an empty list declares that it runs every spec the host accepts. */
    protected abstract List<UnsupportedSpec> unsupportedSpecs();

    /** The longest the kit waits for the cluster to converge. */
    protected Duration timeout() {
        return Duration.ofSeconds(60);
    }

    /** The manager under test, started. */
    protected final ClusterManager manager() {
        return manager;
    }

    /** The events the manager reported to the kit's listener since the test began. */
    protected final List<ClusterEvent> events() {
        return events;
    }

    @BeforeEach
    final void startManager() {
        manager = newManager();
        manager.watch(events::add);
        manager.start();
    }

    @AfterEach
    final void closeManager() {
        if (manager == null) {
            return;
        }
        try {
            for (AppRef app : manager.apps()) {
                manager.remove(app, false);
            }
        } finally {
            manager.close();
        }
    }

    @Test
    void deployedReplicasBecomeReadyWithEndpoints() {
        AppRef app = ref("tck-ready");
        manager.deploy(deployment(app, runnableSpec(app.name()), 2));

        AppStatus status = awaitReady(app, 2);

        assertThat(status.deployed()).isTrue();
        assertThat(status.desired()).isEqualTo(2);
        assertThat(status.instances()).extracting(InstanceStatus::endpoint).doesNotContainNull();
        assertThat(status.instances()).extracting(InstanceStatus::id).doesNotHaveDuplicates();
        assertThat(manager.apps()).contains(app);
    }

    @Test
    void deployingTheSameDeploymentAgainChangesNothing() {
        AppRef app = ref("tck-same");
        AppDeployment deployment = deployment(app, runnableSpec(app.name()), 2);
        manager.deploy(deployment);
        Set<String> before = ids(awaitReady(app, 2));

        manager.deploy(deployment);

        assertThat(ids(manager.status(app))).isEqualTo(before);
        assertThat(ids(awaitReady(app, 2))).isEqualTo(before);
    }

    @Test
    void scalesUpAndDown() {
        AppRef app = ref("tck-scale");
        AppSpec spec = runnableSpec(app.name());
        manager.deploy(deployment(app, spec, 1));
        Set<String> first = ids(awaitReady(app, 1));

        manager.scale(app, 3);
        AppStatus up = awaitReady(app, 3);
        assertThat(up.desired()).isEqualTo(3);
        assertThat(ids(up))
                .as("scaling up keeps the replicas that were running")
                .containsAll(first);

        manager.scale(app, 1);
        AppStatus down = awaitStatus(app, status -> {
            assertThat(status.desired()).isEqualTo(1);
            assertThat(status.instances()).hasSize(1);
            assertThat(status.ready()).isEqualTo(1);
        });
        assertThat(ids(up)).containsAll(ids(down));
    }

    @Test
    void scalingToZeroKeepsTheAppDeployed() {
        AppRef app = ref("tck-zero");
        manager.deploy(deployment(app, runnableSpec(app.name()), 1));
        awaitReady(app, 1);

        manager.scale(app, 0);

        awaitStatus(app, status -> {
            assertThat(status.deployed()).isTrue();
            assertThat(status.desired()).isZero();
            assertThat(status.instances()).isEmpty();
        });
        assertThat(manager.apps()).contains(app);

        manager.scale(app, 1);
        awaitReady(app, 1);
    }

    @Test
    void removedAppIsAbsent() {
        AppRef app = ref("tck-remove");
        manager.deploy(deployment(app, runnableSpec(app.name()), 1));
        awaitReady(app, 1);

        manager.remove(app, false);

        awaitStatus(app, status -> {
            assertThat(status.deployed()).isFalse();
            assertThat(status.instances()).isEmpty();
        });
        assertThat(manager.apps()).doesNotContain(app);
        // Removing is idempotent: the reconciler may call it again after a restart.
        manager.remove(app, false);
        assertThat(manager.status(app).deployed()).isFalse();
    }

    @Test
    void unknownAppIsAbsent() {
        AppRef app = ref("tck-never-deployed");

        AppStatus status = manager.status(app);

        assertThat(status.app()).isEqualTo(app);
        assertThat(status.deployed()).isFalse();
        assertThat(status.desired()).isZero();
        assertThat(status.instances()).isEmpty();
        assertThat(manager.apps()).doesNotContain(app);
    }

    @Test
    void watchReportsReadyReplicas() {
        AppRef app = ref("tck-watch");
        manager.deploy(deployment(app, runnableSpec(app.name()), 1));
        Set<String> ids = ids(awaitReady(app, 1));

        waitUntil()
                .untilAsserted(() -> assertThat(eventsOf(app, ClusterEvent.Type.READY))
                        .extracting(ClusterEvent::instance)
                        .containsAnyElementsOf(ids));
        assertThat(eventsOf(app, ClusterEvent.Type.READY))
                .allSatisfy(event -> assertThat(event.message()).isNotBlank());
    }

    @Test
    void watchReportsCrashesAndRestarts() {
        AppRef app = ref("tck-crash");
        manager.deploy(deployment(app, crashingSpec(app.name()), 1));

        waitUntil().untilAsserted(() -> {
            assertThat(eventsOf(app, ClusterEvent.Type.CRASHED)).isNotEmpty();
            assertThat(eventsOf(app, ClusterEvent.Type.RESTARTED)).isNotEmpty();
        });
        assertThat(eventsOf(app, ClusterEvent.Type.CRASHED))
                .allSatisfy(event -> assertThat(event.message())
                        .as("a crash event says which replica, in words")
                        .contains(event.instance()));
        assertThat(manager.status(app).deployed()).isTrue();
    }

    @Test
    void changedSpecReplacesTheReplicas() {
        AppRef app = ref("tck-roll");
        AppSpec spec = runnableSpec(app.name());
        manager.deploy(deployment(app, spec, 2));
        Set<String> before = ids(awaitReady(app, 2));

        List<EnvVar> envs = new ArrayList<>(spec.envs());
        envs.add(new EnvVar("EMP_TCK_REVISION", "2"));
        manager.deploy(deployment(app, spec.withEnvs(envs), 2));

        AppStatus after = awaitStatus(app, status -> {
            assertThat(status.instances()).hasSize(2);
            assertThat(status.ready()).isEqualTo(2);
            assertThat(ids(status)).doesNotContainAnyElementsOf(before);
        });
        assertThat(after.desired()).isEqualTo(2);
    }

    @Test
    void aChangeWhoseReplicasNeverGetReadyLeavesTheOldOnesServingMarkedOutdated() {
        AppRef app = ref("tck-stuck");
        AppSpec good = runnableSpec(app.name());
        manager.deploy(deployment(app, good, 2));
        Set<String> serving = ids(awaitReady(app, 2));

        manager.deploy(deployment(app, crashingSpec(app.name()), 2));

        awaitStatus(app, status -> {
            List<InstanceStatus> old = status.instances().stream()
                    .filter(instance -> serving.contains(instance.id()))
                    .toList();
            assertThat(old).hasSize(2).allSatisfy(instance -> {
                assertThat(instance.state()).isEqualTo(InstanceState.READY);
                assertThat(instance.outdated())
                        .as("%s runs the spec before", instance.id())
                        .isTrue();
            });
            assertThat(status.instances())
                    .as("the new replicas")
                    .filteredOn(instance -> !serving.contains(instance.id()))
                    .isNotEmpty()
                    .noneMatch(InstanceStatus::outdated);
        });

        // the spec before again: its replicas are current, and the crashing ones go
        manager.deploy(deployment(app, good, 2));
        awaitStatus(app, status -> {
            assertThat(status.instances()).hasSize(2).noneMatch(InstanceStatus::outdated);
            assertThat(status.ready()).isEqualTo(2);
        });
    }

    @Test
    void aRolloutStaysWithinMaxSurgeAndNeverServesWithFewerReplicas() {
        AppRef app = ref("tck-surge");
        AppSpec spec = runnableSpec(app.name());
        spec = spec.withRollout(new Rollout("1", "0"));
        manager.deploy(deployment(app, spec, 3));
        Set<String> before = ids(awaitReady(app, 3));
        List<EnvVar> envs = new ArrayList<>(spec.envs());
        envs.add(new EnvVar("EMP_TCK_REVISION", "2"));

        manager.deploy(deployment(app, spec.withEnvs(envs), 3));

        List<String> breaches = new ArrayList<>();
        awaitStatus(app, status -> {
            long alive = status.instances().stream()
                    .filter(instance -> instance.state() != InstanceState.STOPPING)
                    .count();
            if (alive > 4) {
                breaches.add(alive + " replicas: " + ids(status));
            }
            if (status.ready() < 3) {
                breaches.add(status.ready() + " ready: " + ids(status));
            }
            assertThat(ids(status)).hasSize(3).doesNotContainAnyElementsOf(before);
            assertThat(status.ready()).isEqualTo(3);
        });
        assertThat(breaches).as("moments past max_surge 1 or max_unavailable 0").isEmpty();
    }

    @Test
    void validateRefusesWhatTheBackendDeclaresUnsupported() {
        manager.validate(runnableSpec("tck-valid"));
        manager.validate(crashingSpec("tck-valid"));

        for (UnsupportedSpec unsupported : unsupportedSpecs()) {
            assertThatThrownBy(() -> manager.validate(unsupported.spec()))
                    .as("validate(%s)", unsupported.spec())
                    .isInstanceOfSatisfying(PlatformException.class, e -> {
                        assertThat(e.category()).isEqualTo(ErrorCategory.UNSUPPORTED);
                        assertThat(e.field()).contains(unsupported.field());
                        assertThat(e.getMessage())
                                .contains("'" + unsupported.spec().name() + "'");
                    });
        }
    }

    @Test
    void checkIsHealthyOnceStarted() {
        assertThat(manager.check().healthy()).as(manager.check().detail()).isTrue();
        assertThat(manager.check().detail()).isNotBlank();
    }

    @Test
    void deployedAppHasAnEndpoint() {
        AppRef app = ref("tck-endpoint");
        manager.deploy(deployment(app, runnableSpec(app.name()), 1));
        awaitReady(app, 1);

        Optional<URI> endpoint = manager.endpoint(app);

        assertThat(endpoint).hasValueSatisfying(uri -> {
            assertThat(uri.isAbsolute()).isTrue();
            assertThat(uri.getScheme()).isIn("http", "https");
        });
    }

    /** The app of this owner called {@code name}. */
    protected static AppRef ref(String name) {
        return new AppRef(OWNER, name);
    }

    /** A deployment as the host's reconciler would make it, with the variables the platform injects. */
    protected static AppDeployment deployment(AppRef app, AppSpec spec, int replicas) {
        return new AppDeployment(app, spec, replicas, Map.of("EMP_SERVICE_NAME", app.toString()));
    }

    /** Waits until the app has exactly {@code count} replicas and all are ready, and returns that status. */
    protected final AppStatus awaitReady(AppRef app, int count) {
        return awaitStatus(app, status -> {
            assertThat(status.instances()).hasSize(count);
            assertThat(status.instances()).extracting(InstanceStatus::state).containsOnly(InstanceState.READY);
        });
    }

    /** Waits until the app's status passes {@code assertion}, and returns that status. */
    protected final AppStatus awaitStatus(AppRef app, Consumer<AppStatus> assertion) {
        List<AppStatus> last = new ArrayList<>(1);
        waitUntil().untilAsserted(() -> {
            AppStatus status = manager.status(app);
            assertion.accept(status);
            last.clear();
            last.add(status);
        });
        return last.get(0);
    }

    /** Awaitility with the kit's timeout. */
    protected final ConditionFactory waitUntil() {
        return await().atMost(timeout()).pollInterval(Duration.ofMillis(100));
    }

    /** The events of one type reported for the app. */
    protected final List<ClusterEvent> eventsOf(AppRef app, ClusterEvent.Type type) {
        return events.stream()
                .filter(event -> event.app().equals(app) && event.type() == type)
                .toList();
    }

    protected static Set<String> ids(AppStatus status) {
        return status.instances().stream().map(InstanceStatus::id).collect(Collectors.toSet());
    }
}
