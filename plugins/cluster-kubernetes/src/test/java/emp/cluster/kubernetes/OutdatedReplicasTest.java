package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.app.AppSpec;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.AppStatus;
import emp.spi.cluster.InstanceState;
import emp.spi.cluster.InstanceStatus;
import emp.testsupport.kubernetes.MockCluster;
import emp.testsupport.kubernetes.StandInController;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * During a rollout the pods of the template before are reported outdated and those of the current one not: what the
 * platform reads to know when a rollout is done and whether the new release's pods fail.
 */
class OutdatedReplicasTest {
    private static final AppRef WEB = new AppRef("tck", "web");

    @TempDir
    Path dir;

    @Test
    void aPodOfAnOlderTemplateIsOutdatedAndOneOfTheCurrentIsNot() {
        try (MockCluster cluster = MockCluster.crud()) {
            KubernetesClusterManager manager = Managers.manager(cluster, dir, Map.of());
            manager.start();
            try {
                manager.deploy(deployment(WEB, Managers.web("web"), "1"));
                pod(cluster, "web-v1-aaaaa", template(cluster.client().apps().deployments(), "web"));
                manager.deploy(deployment(WEB, Managers.web("web"), "2"));
                pod(cluster, "web-v2-bbbbb", template(cluster.client().apps().deployments(), "web"));

                awaitInstances(
                        manager,
                        WEB,
                        instances -> assertThat(instances)
                                .extracting(InstanceStatus::id, InstanceStatus::outdated)
                                .containsExactly(tuple("web-v1-aaaaa", true), tuple("web-v2-bbbbb", false)));

                AppRef db = new AppRef("tck", "db");
                AppSpec stateful = Managers.stateful(Managers.web("db"));
                manager.deploy(deployment(db, stateful, "1"));
                pod(cluster, "db-0", template(cluster.client().apps().statefulSets(), "db"));
                manager.deploy(deployment(db, stateful, "2"));
                pod(cluster, "db-1", template(cluster.client().apps().statefulSets(), "db"));

                awaitInstances(
                        manager,
                        db,
                        instances -> assertThat(instances)
                                .extracting(InstanceStatus::id, InstanceStatus::outdated)
                                .containsExactly(tuple("db-0", true), tuple("db-1", false)));
            } finally {
                manager.close();
            }
        }
    }

    @Test
    void aReleaseWhosePodsFailShowsTheOldPodsServingAndTheNewOnesCrashing() {
        try (MockCluster cluster = MockCluster.crud();
                StandInController controller = new StandInController(cluster).start()) {
            KubernetesClusterManager manager = Managers.manager(cluster, dir, Map.of());
            manager.start();
            try {
                manager.deploy(deployment(WEB, Managers.web("web"), "1"));
                awaitInstances(
                        manager,
                        WEB,
                        instances -> assertThat(instances)
                                .extracting(InstanceStatus::state, InstanceStatus::outdated)
                                .containsExactly(tuple(InstanceState.READY, false)));

                manager.deploy(
                        deployment(WEB, Managers.withImage(Managers.web("web"), StandInController.MISSING_IMAGE), "2"));

                // maxUnavailable 0: the old replica serves until a new one is ready, which never comes.
                awaitInstances(
                        manager,
                        WEB,
                        instances -> assertThat(instances)
                                .extracting(InstanceStatus::state, InstanceStatus::outdated)
                                .containsExactlyInAnyOrder(
                                        tuple(InstanceState.READY, true), tuple(InstanceState.CRASHED, false)));

                manager.deploy(deployment(WEB, Managers.web("web"), "3"));

                awaitInstances(
                        manager,
                        WEB,
                        instances -> assertThat(instances)
                                .extracting(InstanceStatus::state, InstanceStatus::outdated)
                                .containsExactly(tuple(InstanceState.READY, false)));
            } finally {
                manager.close();
            }
        }
    }

    @Test
    void untilTheCacheSeesAWriteTheWrittenTemplateIsTheCurrentOne() {
        Deployment cached = new DeploymentBuilder()
                .withNewMetadata()
                .withUid("uid-1")
                .withGeneration(4L)
                .endMetadata()
                .withNewSpec()
                .withNewTemplate()
                .withNewMetadata()
                .addToAnnotations(Labels.TEMPLATE_DIGEST, "before")
                .endMetadata()
                .endTemplate()
                .endSpec()
                .build();

        assertThat(WrittenTemplate.current(cached, new WrittenTemplate("uid-1", 5, "after")))
                .as("the cache holds the workload before the write")
                .isEqualTo("after");
        assertThat(WrittenTemplate.current(cached, new WrittenTemplate("uid-1", 4, "after")))
                .as("the cache has seen the write, or a later one")
                .isEqualTo("before");
        assertThat(WrittenTemplate.current(cached, new WrittenTemplate("uid-0", 5, "after")))
                .as("another workload of that name")
                .isEqualTo("before");
        assertThat(WrittenTemplate.current(cached, null)).isEqualTo("before");
    }

    /** A deployment whose {@code REVISION} differs with each release, as a changed spec or config would. */
    private static AppDeployment deployment(AppRef app, AppSpec spec, String revision) {
        return new AppDeployment(app, spec, 1, Map.of("REVISION", revision));
    }

    private static <T extends HasMetadata> PodTemplateSpec template(MixedOperation<T, ?, ?> workloads, String name) {
        HasMetadata workload = workloads.inNamespace("emp-tck").withName(name).get();
        return workload instanceof Deployment deployment
                ? deployment.getSpec().getTemplate()
                : ((StatefulSet) workload).getSpec().getTemplate();
    }

    /** A pod as its controller makes it from {@code template}: its labels and annotations. */
    private static void pod(MockCluster cluster, String name, PodTemplateSpec template) {
        cluster.client()
                .pods()
                .inNamespace("emp-tck")
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace("emp-tck")
                        .withLabels(template.getMetadata().getLabels())
                        .withAnnotations(template.getMetadata().getAnnotations())
                        .endMetadata()
                        .withSpec(template.getSpec())
                        .build())
                .create();
    }

    private static void awaitInstances(
            KubernetesClusterManager manager, AppRef app, Consumer<List<InstanceStatus>> check) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    AppStatus status = manager.status(app);
                    check.accept(status.instances());
                });
    }
}
