package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.cluster.AppDeployment;
import emp.testsupport.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Kubernetes keeps fixed in a StatefulSet is not rewritten on each deploy, and a refusal says what to do. */
class StatefulSetChangesTest {
    private static final AppRef DB = new AppRef("tck", "db");
    /** The mock answers server-side apply of an object that exists with 415, so the manager replaces it (PUT). */
    private static final String REPLACE = "/apis/apps/v1/namespaces/emp-tck/statefulsets/db";

    @TempDir
    Path dir;

    private MockCluster cluster;

    @BeforeEach
    void start() {
        cluster = MockCluster.crud();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void newVolumeSettingsApplyToNewAppsOnly() {
        deployWith(Map.of("volume-size", "1Gi"));
        deployWith(Map.of("volume-size", "5Gi", "storage-class", "fast-ssd"));

        PersistentVolumeClaim template =
                statefulSet().getSpec().getVolumeClaimTemplates().get(0);
        assertThat(template.getSpec().getResources().getRequests().get("storage"))
                .hasToString("1Gi");
        assertThat(template.getSpec().getStorageClassName()).isNull();

        cluster.client()
                .apps()
                .statefulSets()
                .inNamespace("emp-tck")
                .withName("db")
                .delete();
        deployWith(Map.of("volume-size", "5Gi"));
        assertThat(statefulSet()
                        .getSpec()
                        .getVolumeClaimTemplates()
                        .get(0)
                        .getSpec()
                        .getResources()
                        .getRequests())
                .as("a new app gets the new size")
                .containsEntry("storage", new Quantity("5Gi"));
    }

    @Test
    void aChangeKubernetesForbidsIsReportedWithWhatToDo() {
        deployWith(Map.of());
        cluster.server()
                .expect()
                .put()
                .withPath(REPLACE)
                .andReturn(
                        422,
                        new StatusBuilder()
                                .withStatus("Failure")
                                .withCode(422)
                                .withReason("Invalid")
                                .withMessage("StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to"
                                        + " statefulset spec for fields other than 'replicas', 'ordinals', 'template',"
                                        + " 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and"
                                        + " 'minReadySeconds' are forbidden")
                                .withNewDetails()
                                .withName("db")
                                .withKind("StatefulSet")
                                .addNewCause()
                                .withField("spec")
                                .withReason("FieldValueForbidden")
                                .endCause()
                                .endDetails()
                                .build())
                .once();

        assertThatThrownBy(() -> deployWith(Map.of())).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
            assertThat(e.getMessage())
                    .startsWith("Kubernetes does not change StatefulSet 'emp-tck/db' of app 'tck/db' in place")
                    .contains("Forbidden: updates to statefulset spec")
                    .endsWith("remove the app (keeping its data) and deploy it again");
        });
    }

    private void deployWith(Map<String, String> settings) {
        KubernetesClusterManager manager = Managers.manager(cluster, dir.resolve("m" + System.nanoTime()), settings);
        manager.start();
        try {
            manager.deploy(new AppDeployment(DB, Managers.stateful(Managers.web("db")), 1, Map.of()));
        } finally {
            manager.close();
        }
    }

    private StatefulSet statefulSet() {
        return cluster.client()
                .apps()
                .statefulSets()
                .inNamespace("emp-tck")
                .withName("db")
                .get();
    }
}
