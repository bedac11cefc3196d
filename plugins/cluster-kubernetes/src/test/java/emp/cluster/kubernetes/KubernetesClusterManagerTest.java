package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.ClusterEvent;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.spi.cluster.LogLine;
import emp.testsupport.kubernetes.MockCluster;
import emp.testsupport.kubernetes.StandInController;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Kubernetes manager does beyond the kit: volumes of stateful apps, stopping and starting, failures in
 * Kubernetes' words, the URL of each exposure, logs, and deploys that converge. Against the CRUD mock and the
 * {@link StandInController}.
 */
class KubernetesClusterManagerTest {
    private static MockCluster cluster;
    private static StandInController controller;

    @TempDir
    Path dir;

    private final List<KubernetesClusterManager> managers = new ArrayList<>();
    private final List<ClusterEvent> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = MockCluster.crud();
        controller = new StandInController(cluster).start();
    }

    @AfterAll
    static void stopCluster() {
        controller.close();
        cluster.close();
    }

    @AfterEach
    void removeApps() {
        for (KubernetesClusterManager manager : managers) {
            try {
                manager.apps().forEach(app -> manager.remove(app, false));
            } finally {
                manager.close();
            }
        }
    }

    @Test
    void aStatefulAppsVolumesOutliveStopAndRemoveUntilRemovedWithTheirData() {
        KubernetesClusterManager manager = manager(Map.of("storage-class", "fast-ssd", "volume-size", "2Gi"));
        AppRef db = new AppRef("tck", "song-db");
        AppSpec spec = Managers.stateful(Managers.web("song-db"));
        manager.deploy(deployment(db, spec, 2));

        AppStatus running = awaitReady(manager, db, 2);
        assertThat(running.instances()).extracting(InstanceStatus::id).containsExactly("song-db-0", "song-db-1");
        assertThat(volumes("song-db"))
                .extracting(claim -> claim.getMetadata().getName())
                .containsExactlyInAnyOrder("data-song-db-0", "data-song-db-1");
        assertThat(volumes("song-db")).allSatisfy(claim -> {
            assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
            assertThat(claim.getSpec().getResources().getRequests().get("storage"))
                    .hasToString("2Gi");
        });

        manager.scale(db, 0);
        awaitStatus(manager, db, status -> assertThat(status.instances()).isEmpty());
        assertThat(volumes("song-db")).hasSize(2);

        manager.remove(db, true);
        awaitStatus(manager, db, status -> assertThat(status.deployed()).isFalse());
        assertThat(volumes("song-db"))
                .as("remove(keepData=true) leaves the volumes")
                .hasSize(2);

        manager.deploy(deployment(db, spec, 1));
        awaitReady(manager, db, 1);
        manager.remove(db, false);

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(volumes("song-db"))
                        .as("remove(keepData=false) purges them")
                        .isEmpty());
    }

    @Test
    void scalingToZeroRemembersTheReplicaCountAndRunningReplicasForgetsIt() {
        KubernetesClusterManager manager = manager(Map.of());
        AppRef web = new AppRef("tck", "stop-start");
        manager.deploy(deployment(web, Managers.web("stop-start"), 3));
        awaitReady(manager, web, 3);

        // The host stops an app by scaling it to zero, and starts it by scaling it to the count it had.
        manager.scale(web, 0);

        awaitStatus(manager, web, status -> {
            assertThat(status.deployed()).isTrue();
            assertThat(status.desired()).isZero();
            assertThat(status.instances()).isEmpty();
        });
        assertThat(annotations("stop-start")).containsEntry(Labels.REPLICAS_BEFORE_STOP, "3");
        manager.scale(web, 0);
        assertThat(annotations("stop-start"))
                .as("a stopped app stopped again keeps the count it had running")
                .containsEntry(Labels.REPLICAS_BEFORE_STOP, "3");

        manager.scale(web, 3);

        awaitReady(manager, web, 3);
        assertThat(remembered("stop-start")).isNull();
    }

    @Test
    void aDeployWithNoReplicasRemembersTheCountAsStopDoes() {
        KubernetesClusterManager manager = manager(Map.of());
        AppRef web = new AppRef("tck", "host-stop");
        AppSpec spec = Managers.web("host-stop");
        manager.deploy(deployment(web, spec, 2));
        awaitReady(manager, web, 2);

        // The host stops an app by deploying it with no replicas when its spec changed meanwhile.
        manager.deploy(deployment(web, spec, 0));

        assertThat(annotations("host-stop")).containsEntry(Labels.REPLICAS_BEFORE_STOP, "2");
        manager.deploy(deployment(web, spec, 2));
        assertThat(remembered("host-stop")).isNull();
        awaitReady(manager, web, 2);
    }

    @Test
    void aCrashLoopIsReportedInKubernetesWords() {
        KubernetesClusterManager manager = manager(Map.of());
        AppRef app = new AppRef("tck", "crasher");
        manager.deploy(
                deployment(app, Managers.withImage(Managers.web("crasher"), StandInController.CRASH_LOOP_IMAGE), 1));

        AppStatus status = awaitStatus(
                manager,
                app,
                current -> assertThat(current.instances()).singleElement().satisfies(instance -> {
                    assertThat(instance.state()).isEqualTo(InstanceState.CRASHED);
                    assertThat(instance.message()).startsWith("CrashLoopBackOff: back-off 10s restarting failed");
                    assertThat(instance.restarts()).isPositive();
                }));

        String pod = status.instances().get(0).id();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(events(app, ClusterEvent.Type.CRASHED))
                        .anySatisfy(event -> assertThat(event.message())
                                .startsWith("replica " + pod
                                        + " is failing: CrashLoopBackOff: back-off 10s restarting failed"
                                        + " container=app pod=" + pod
                                        + "; its container last exited with code 1 (Error) (")
                                .matches(".*\\(\\d+ restarts?\\)")));
        assertThat(events(app, ClusterEvent.Type.RESTARTED))
                .allSatisfy(event -> assertThat(event.message())
                        .startsWith("replica " + pod + " was restarted by Kubernetes (restart ")
                        .endsWith(") after its container exited with code 1 (Error)"));
    }

    @Test
    void anImageThatCannotBePulledIsReportedInKubernetesWords() {
        KubernetesClusterManager manager = manager(Map.of());
        AppRef app = new AppRef("tck", "no-image");
        manager.deploy(
                deployment(app, Managers.withImage(Managers.web("no-image"), StandInController.MISSING_IMAGE), 1));

        awaitStatus(
                manager,
                app,
                status -> assertThat(status.instances()).singleElement().satisfies(instance -> {
                    assertThat(instance.state()).isEqualTo(InstanceState.CRASHED);
                    assertThat(instance.message())
                            .isEqualTo("ImagePullBackOff: Back-off pulling image \"example.test/no-such-image:1\"");
                    assertThat(instance.endpoint())
                            .as("a pod that never ran has no address")
                            .isNull();
                }));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(events(app, ClusterEvent.Type.CRASHED))
                        .extracting(ClusterEvent::message)
                        .anySatisfy(message -> assertThat(message).contains("is failing: ErrImagePull: failed to pull"))
                        .anySatisfy(message -> assertThat(message).contains("is failing: ImagePullBackOff: Back-off")));
    }

    @Test
    void aLoadBalancersAddressIsTheAppsUrl() {
        KubernetesClusterManager manager = manager(Map.of("exposure", "LoadBalancer"));
        AppRef app = new AppRef("tck", "lb");
        manager.deploy(deployment(app, Managers.web("lb"), 1));
        awaitReady(manager, app, 1);

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(manager.endpoint(app))
                        .contains(URI.create("http://" + StandInController.LOAD_BALANCER_IP + "/")));
        assertThat(manager.internalEndpoint(app)).contains(URI.create("http://lb.emp-tck.svc.cluster.local:80"));
        assertThat(manager.entryPoint()).isEmpty();
        assertThat(manager.endpoint(new AppRef("tck", "never-deployed"))).isEmpty();
    }

    @Test
    void aNodePortsUrlIsANodesAddressAndThePort() {
        cluster.client()
                .nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName("node-1")
                        .endMetadata()
                        .withNewStatus()
                        .addNewAddress()
                        .withType("InternalIP")
                        .withAddress("10.0.0.5")
                        .endAddress()
                        .addNewAddress()
                        .withType("ExternalIP")
                        .withAddress("203.0.113.7")
                        .endAddress()
                        .endStatus()
                        .build())
                .create();
        KubernetesClusterManager configured = manager(Map.of("exposure", "NodePort", "node-host", "node.example.test"));
        KubernetesClusterManager looking = manager(Map.of("exposure", "NodePort"));
        AppRef app = new AppRef("tck", "np");
        configured.deploy(deployment(app, Managers.web("np"), 1));
        awaitReady(configured, app, 1);

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(configured.endpoint(app))
                        .hasValueSatisfying(
                                uri -> assertThat(uri.toString()).matches("http://node\\.example\\.test:30\\d{3}/")));
        int port = configured.endpoint(app).orElseThrow().getPort();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(looking.endpoint(app))
                        .as("without node-host, a node's external address")
                        .contains(URI.create("http://203.0.113.7:" + port + "/")));
    }

    @Test
    void anIngressWithoutAHostGivesItsAddressAndTheAppsPath() {
        KubernetesClusterManager manager = manager(Map.of("exposure", "Ingress"));
        AppRef app = new AppRef("tck", "ing");
        manager.deploy(deployment(app, Managers.web("ing"), 1));
        awaitReady(manager, app, 1);

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(manager.endpoint(app))
                        .contains(URI.create("http://" + StandInController.INGRESS_IP + "/tck/ing/")));
        assertThat(manager.entryPoint()).isEmpty();
        assertThat(manager(Map.of("exposure", "Ingress", "ingress-host", "apps.example.test"))
                        .entryPoint())
                .contains(URI.create("http://apps.example.test"));
    }

    @Test
    void logsAreEachReplicasLastLines() {
        KubernetesClusterManager manager = manager(Map.of());
        AppRef app = new AppRef("tck", "chatty");
        manager.deploy(deployment(app, Managers.web("chatty"), 2));
        List<String> pods = awaitReady(manager, app, 2).instances().stream()
                .map(InstanceStatus::id)
                .sorted()
                .toList();

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(manager.logs(app, 1))
                        .containsExactly(
                                new LogLine(pods.get(0), "listening on port 8080"),
                                new LogLine(pods.get(1), "listening on port 8080")));
        assertThat(manager.logs(app, 10))
                .containsExactly(
                        new LogLine(pods.get(0), "starting " + Managers.IMAGE),
                        new LogLine(pods.get(0), "listening on port 8080"),
                        new LogLine(pods.get(1), "starting " + Managers.IMAGE),
                        new LogLine(pods.get(1), "listening on port 8080"));
        assertThat(manager.logs(app, 0)).isEmpty();
        assertThatThrownBy(() -> manager.logs(new AppRef("tck", "never-deployed"), 5))
                .isInstanceOfSatisfying(
                        PlatformException.class, e -> assertThat(e.category()).isEqualTo(ErrorCategory.NOT_FOUND));
    }

    @Test
    void aDeployCutShortConvergesWhenItIsDoneAgain() {
        KubernetesClusterManager first = manager(Map.of());
        AppRef app = new AppRef("tck", "half");
        AppDeployment deployment = deployment(app, Managers.web("half"), 2);
        // A server that died halfway through its deploy left the namespace and the Service behind.
        AppObjects objects = new AppObjects(Managers.config(Map.of()));
        KubernetesClient client = cluster.client();
        client.resource(objects.namespace(objects.names(app))).createOr(existing -> existing.update());
        client.resource(objects.service(objects.names(app))).create();

        first.deploy(deployment);
        List<String> before = awaitReady(first, app, 2).instances().stream()
                .map(InstanceStatus::id)
                .toList();
        first.close();
        managers.remove(first);

        KubernetesClusterManager second = manager(Map.of());
        second.deploy(deployment);
        second.deploy(deployment);

        assertThat(awaitReady(second, app, 2).instances())
                .extracting(InstanceStatus::id)
                .containsExactlyElementsOf(before);
        Deployment written = client.apps()
                .deployments()
                .inNamespace("emp-tck")
                .withName("half")
                .get();
        assertThat(written.getSpec().getTemplate())
                .isEqualTo(objects.deployment(deployment).getSpec().getTemplate());
        assertThat(second.lastWritePath()).isEqualTo(Applier.Path.CREATE_OR_REPLACE);
    }

    @Test
    void anAppTurnedStatefulBecomesAStatefulSet() {
        KubernetesClusterManager manager = manager(Map.of());
        AppRef app = new AppRef("tck", "turn");
        manager.deploy(deployment(app, Managers.web("turn"), 1));
        awaitReady(manager, app, 1);

        manager.deploy(deployment(app, Managers.stateful(Managers.web("turn")), 1));

        awaitStatus(
                manager,
                app,
                status -> assertThat(status.instances())
                        .extracting(InstanceStatus::id, InstanceStatus::state)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("turn-0", InstanceState.READY)));
        assertThat(cluster.client()
                        .apps()
                        .deployments()
                        .inNamespace("emp-tck")
                        .withName("turn")
                        .get())
                .isNull();
    }

    @Test
    void anOwnerNameThatIsNoLabelIsKeptExactly() {
        KubernetesClusterManager manager = manager(Map.of());
        AppRef app = new AppRef("Bob_Smith", "web");
        manager.deploy(deployment(app, Managers.web("web"), 1));

        awaitReady(manager, app, 1);

        assertThat(manager.apps()).contains(app);
        String namespace = Names.namespace("emp-", "Bob_Smith");
        assertThat(namespace).matches("emp-0-bob-smith-[0-9a-f]{6}");
        assertThat(cluster.client()
                        .namespaces()
                        .withName(namespace)
                        .get()
                        .getMetadata()
                        .getLabels())
                .containsEntry("app.kubernetes.io/managed-by", "emp");
        assertThat(manager.check().detail()).contains("1 of 1 replica(s) ready");
    }

    private KubernetesClusterManager manager(Map<String, String> settings) {
        KubernetesClusterManager manager = Managers.manager(cluster, dir.resolve("m" + managers.size()), settings);
        manager.watch(events::add);
        manager.start();
        managers.add(manager);
        return manager;
    }

    private static AppDeployment deployment(AppRef app, AppSpec spec, int replicas) {
        return new AppDeployment(app, spec, replicas, Map.of("EMP_SERVICE_NAME", app.toString()));
    }

    private List<ClusterEvent> events(AppRef app, ClusterEvent.Type type) {
        return events.stream()
                .filter(event -> event.app().equals(app) && event.type() == type)
                .toList();
    }

    private static List<PersistentVolumeClaim> volumes(String app) {
        return cluster.client()
                .persistentVolumeClaims()
                .inNamespace("emp-tck")
                .withLabel("app.kubernetes.io/name", app)
                .list()
                .getItems();
    }

    /**
     * The remembered replica count. A JSON merge patch of null removes a key on an API server; the mock keeps the key
     * with a null value, which reads the same here.
     */
    private static String remembered(String app) {
        return annotations(app).get(Labels.REPLICAS_BEFORE_STOP);
    }

    private static Map<String, String> annotations(String app) {
        Deployment deployment = cluster.client()
                .apps()
                .deployments()
                .inNamespace("emp-tck")
                .withName(app)
                .get();
        return deployment.getMetadata().getAnnotations();
    }

    private static AppStatus awaitReady(KubernetesClusterManager manager, AppRef app, int count) {
        return awaitStatus(manager, app, status -> {
            assertThat(status.instances()).hasSize(count);
            assertThat(status.instances()).extracting(InstanceStatus::state).containsOnly(InstanceState.READY);
        });
    }

    private static AppStatus awaitStatus(KubernetesClusterManager manager, AppRef app, Consumer<AppStatus> check) {
        List<AppStatus> last = new ArrayList<>(1);
        waitUntil().untilAsserted(() -> {
            AppStatus status = manager.status(app);
            check.accept(status);
            last.clear();
            last.add(status);
        });
        return last.get(0);
    }

    private static ConditionFactory waitUntil() {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50));
    }
}
