package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.cluster.AppDeployment;
import emp.testsupport.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Apps of two replicas or more survive a node drain one replica at a time; slow starters are not killed early. */
class DisruptionBudgetTest {
    private static final AppRef WEB = new AppRef("tck", "web");

    @TempDir
    Path dir;

    @Test
    void aBudgetComesAtTwoReplicasAndGoesBelowAndWithTheApp() {
        try (MockCluster cluster = MockCluster.crud()) {
            KubernetesClusterManager manager = Managers.manager(cluster, dir, Map.of());
            manager.start();
            try {
                manager.deploy(new AppDeployment(WEB, Managers.web("web"), 1, Map.of()));
                assertThat(budget(cluster)).as("one replica: no budget").isNull();

                manager.scale(WEB, 3);
                PodDisruptionBudget budget = budget(cluster);
                assertThat(budget).isNotNull();
                assertThat(budget.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
                assertThat(budget.getSpec().getSelector().getMatchLabels())
                        .containsEntry(Labels.NAME, "web")
                        .containsEntry(Labels.OWNER, "tck");

                manager.scale(WEB, 1);
                assertThat(budget(cluster)).as("below two").isNull();

                manager.deploy(new AppDeployment(WEB, Managers.web("web"), 2, Map.of()));
                assertThat(budget(cluster)).as("deployed with two").isNotNull();

                manager.remove(WEB, false);
                assertThat(budget(cluster)).as("removed with the app").isNull();
            } finally {
                manager.close();
            }
        }
    }

    @Test
    void theHealthPathIsAlsoAGenerousStartupProbe() {
        AppObjects objects = new AppObjects(Managers.config(Map.of()));
        Container container = objects.deployment(new AppDeployment(WEB, Managers.web("web"), 1, Map.of()))
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);

        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(container.getStartupProbe().getPeriodSeconds()
                        * container.getStartupProbe().getFailureThreshold())
                .as("seconds a slow starter gets")
                .isGreaterThanOrEqualTo(300);
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
    }

    private static PodDisruptionBudget budget(MockCluster cluster) {
        return cluster.client()
                .policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace("emp-tck")
                .withName("web")
                .get();
    }
}
