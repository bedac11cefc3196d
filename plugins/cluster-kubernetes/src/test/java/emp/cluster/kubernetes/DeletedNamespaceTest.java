package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.AppRef;
import emp.spi.cluster.AppDeployment;
import emp.testsupport.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's namespace deleted while EMP runs is made again on the next deploy, not reported as missing forever. */
class DeletedNamespaceTest {
    private static final AppRef WEB = new AppRef("tck", "web");

    @TempDir
    Path dir;

    @Test
    void theNextDeployMakesTheNamespaceAgain() {
        try (MockCluster cluster = MockCluster.crud()) {
            KubernetesClusterManager manager = Managers.manager(cluster, dir, Map.of());
            manager.start();
            try {
                AppDeployment deployment = new AppDeployment(WEB, Managers.web("web"), 1, Map.of());
                manager.deploy(deployment);
                KubernetesClient client = cluster.client();
                client.namespaces().withName("emp-tck").delete();
                // The mock keeps objects of a deleted namespace; a real API server refuses to write into it, thus:
                cluster.server()
                        .expect()
                        // The mock answered the first deploy's applies with 415, so the manager creates (POST) now.
                        .post()
                        .withPath("/api/v1/namespaces/emp-tck/services")
                        .andReturn(
                                404,
                                new StatusBuilder()
                                        .withStatus("Failure")
                                        .withCode(404)
                                        .withReason("NotFound")
                                        .withMessage("namespaces \"emp-tck\" not found")
                                        .withNewDetails()
                                        .withName("emp-tck")
                                        .withKind("namespaces")
                                        .endDetails()
                                        .build())
                        .once();

                cluster.clearRequests();

                manager.deploy(deployment);

                assertThat(cluster.pluginRequests())
                        .filteredOn(request -> request.method().equals("POST")
                                && request.path().startsWith("/api/v1/namespaces/emp-tck/services"))
                        .as("the refused write and the one after the namespace was made again")
                        .hasSize(2);
                assertThat(client.namespaces().withName("emp-tck").get())
                        .as("the namespace, made again")
                        .isNotNull()
                        .satisfies(
                                namespace -> assertThat(namespace.getMetadata().getLabels())
                                        .containsEntry(Labels.MANAGED_BY, Labels.EMP));
                assertThat(client.network()
                                .v1()
                                .networkPolicies()
                                .inNamespace("emp-tck")
                                .withName(AppObjects.NETWORK_POLICY)
                                .get())
                        .as("with its NetworkPolicy")
                        .isNotNull();
                assertThat(client.services()
                                .inNamespace("emp-tck")
                                .withName("web")
                                .get())
                        .isNotNull();
            } finally {
                manager.close();
            }
        }
    }
}
