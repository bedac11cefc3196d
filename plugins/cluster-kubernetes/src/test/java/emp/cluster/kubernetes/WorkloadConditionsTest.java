package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import emp.spi.AppRef;
import emp.spi.cluster.AppDeployment;
import emp.spi.cluster.ClusterEvent;
import emp.testsupport.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Why an app has no replica, when Kubernetes makes none: the Deployment's conditions, as cluster events. */
class WorkloadConditionsTest {
    private static final AppRef WEB = new AppRef("tck", "web");
    private static final String QUOTA = "pods \"web-5d9c7-x2x\" is forbidden: exceeded quota: compute, requested:"
            + " limits.memory=256Mi, used: limits.memory=1Gi, limited: limits.memory=1Gi";

    @TempDir
    Path dir;

    @Test
    void aQuotaRefusalAndAStalledRolloutAreNamed() {
        assertThat(WorkloadConditions.problem(
                        withConditions(condition("ReplicaFailure", "True", "FailedCreate", QUOTA))))
                .contains("FailedCreate: " + QUOTA);
        assertThat(WorkloadConditions.problem(withConditions(condition(
                        "Progressing", "False", "ProgressDeadlineExceeded", "ReplicaSet \"web-5d9c7\" has timed out"))))
                .contains("ProgressDeadlineExceeded: ReplicaSet \"web-5d9c7\" has timed out");
        assertThat(WorkloadConditions.problem(withConditions(
                        condition("Progressing", "True", "NewReplicaSetAvailable", "fine"),
                        condition("Available", "True", "MinimumReplicasAvailable", "fine"))))
                .isEmpty();
    }

    @Test
    void aRefusalBecomesAClusterEventWithKubernetesWords() {
        try (MockCluster cluster = MockCluster.crud()) {
            KubernetesClusterManager manager = Managers.manager(cluster, dir, Map.of());
            List<ClusterEvent> events = new CopyOnWriteArrayList<>();
            manager.watch(events::add);
            manager.start();
            try {
                manager.deploy(new AppDeployment(WEB, Managers.web("web"), 2, Map.of()));
                Deployment written = cluster.client()
                        .apps()
                        .deployments()
                        .inNamespace("emp-tck")
                        .withName("web")
                        .get();

                cluster.client()
                        .resource(new DeploymentBuilder(written)
                                .withNewStatus()
                                .withReplicas(0)
                                .withConditions(condition("ReplicaFailure", "True", "FailedCreate", QUOTA))
                                .endStatus()
                                .build())
                        .updateStatus();

                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(events).singleElement().satisfies(event -> {
                            assertThat(event.app()).isEqualTo(WEB);
                            assertThat(event.type()).isEqualTo(ClusterEvent.Type.CRASHED);
                            assertThat(event.message())
                                    .startsWith("Kubernetes makes no replica of app 'tck/web': FailedCreate: " + QUOTA);
                        }));
                assertThat(manager.status(WEB).message())
                        .as("emp info shows it too")
                        .isEqualTo("FailedCreate: " + QUOTA);
            } finally {
                manager.close();
            }
        }
    }

    private static Deployment withConditions(DeploymentCondition... conditions) {
        return new DeploymentBuilder()
                .withNewStatus()
                .withConditions(conditions)
                .endStatus()
                .build();
    }

    private static DeploymentCondition condition(String type, String status, String reason, String message) {
        return new DeploymentConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .build();
    }
}
