package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.testsupport.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which way the applier writes: server-side apply on a server that implements it (what a real cluster answers), and
 * create-or-replace only where the server says it does not, which is what the fabric8 mock answers.
 */
class ApplierTest {
    private static final String APPLY = "application/apply-patch+yaml";
    private static final String NAMESPACE_PATH = "/api/v1/namespaces/emp-alice?fieldManager=emp&force=true";

    @TempDir
    Path dir;

    @Test
    void onAServerThatImplementsApplyOneApplyIsTheWholeWrite() {
        try (MockCluster cluster = MockCluster.expectations();
                KubernetesClient client = Managers.pluginClient(cluster, dir)) {
            cluster.server()
                    .expect()
                    .patch()
                    .withPath(NAMESPACE_PATH)
                    .andReturn(200, namespace())
                    .always();
            Applier applier = new Applier(client);

            Namespace applied = applier.apply(namespace());

            assertThat(applied.getMetadata().getName()).isEqualTo("emp-alice");
            assertThat(applier.lastPath()).isEqualTo(Applier.Path.SERVER_SIDE_APPLY);
            assertThat(cluster.requests())
                    .extracting(
                            MockCluster.Request::method, MockCluster.Request::path, MockCluster.Request::contentType)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("PATCH", NAMESPACE_PATH, APPLY));
        }
    }

    @Test
    void aRefusalWithTheServersOwnReasonIsNotTakenForMissingApply() {
        try (MockCluster cluster = MockCluster.expectations();
                KubernetesClient client = Managers.pluginClient(cluster, dir)) {
            cluster.server()
                    .expect()
                    .patch()
                    .withPath(NAMESPACE_PATH)
                    .andReturn(
                            404,
                            new StatusBuilder()
                                    .withCode(404)
                                    .withReason("NotFound")
                                    .withMessage("the server could not find the requested resource")
                                    .withNewDetails()
                                    .withKind("namespaces")
                                    .withName("emp-alice")
                                    .endDetails()
                                    .build())
                    .always();
            Applier applier = new Applier(client);

            assertThatThrownBy(() -> applier.apply(namespace()))
                    .isInstanceOfSatisfying(
                            KubernetesClientException.class,
                            e -> assertThat(e.getCode()).isEqualTo(404));
            assertThat(cluster.requests())
                    .extracting(MockCluster.Request::method)
                    .containsExactly("PATCH");
        }
    }

    @Test
    void theMockAnswersApplyWithNotFoundThenUnsupportedMediaTypeAndTheApplierFallsBack() {
        try (MockCluster cluster = MockCluster.crud();
                KubernetesClient client = Managers.pluginClient(cluster, dir)) {
            Applier applier = new Applier(client);

            applier.apply(namespace());

            assertThat(applier.lastPath()).isEqualTo(Applier.Path.CREATE_OR_REPLACE);
            assertThat(applier.applyUnsupported())
                    .as("a 404 without the server's own status is not taken as final")
                    .isFalse();
            assertThat(calls(cluster)).containsExactly("PATCH " + APPLY, "POST");
            assertThat(client.namespaces().withName("emp-alice").get()).isNotNull();

            cluster.clearRequests();
            Namespace labelled = new NamespaceBuilder(namespace())
                    .editMetadata()
                    .addToLabels("emp.io/owner", "alice")
                    .endMetadata()
                    .build();
            applier.apply(labelled);

            assertThat(applier.applyUnsupported())
                    .as("415 says the server has no apply")
                    .isTrue();
            assertThat(calls(cluster)).startsWith("PATCH " + APPLY).contains("PUT");
            assertThat(client.namespaces()
                            .withName("emp-alice")
                            .get()
                            .getMetadata()
                            .getLabels())
                    .containsEntry("emp.io/owner", "alice");

            cluster.clearRequests();
            applier.apply(labelled);

            assertThat(calls(cluster)).as("apply is not tried again").noneMatch(call -> call.contains(APPLY));
            assertThat(applier.lastPath()).isEqualTo(Applier.Path.CREATE_OR_REPLACE);
        }
    }

    private static List<String> calls(MockCluster cluster) {
        return cluster.requests().stream()
                .map(request -> request.method() + (APPLY.equals(request.contentType()) ? " " + APPLY : ""))
                .filter(call -> !call.equals("GET"))
                .toList();
    }

    private static Namespace namespace() {
        return new NamespaceBuilder()
                .withNewMetadata()
                .withName("emp-alice")
                .endMetadata()
                .build();
    }
}
