package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.cluster.AppDeployment;
import emp.testsupport.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person reads when the API server refuses or cannot be reached: a {@link PlatformException} of the right
 * category, in words, never a client exception. The mock answers in expectations mode, as a real server would.
 */
class KubernetesApiFailureTest {
    private static final AppRef WEB = new AppRef("tck", "web");
    private static final String NAMESPACE_APPLY = "/api/v1/namespaces/emp-tck?fieldManager=emp&force=true";

    @TempDir
    Path dir;

    private MockCluster cluster;
    private KubernetesClusterManager manager;

    @BeforeEach
    void startServer() {
        cluster = MockCluster.expectations();
        // The informers' lists find no expectation and keep retrying in the background; no test waits for them.
        manager = Managers.manager(cluster, dir, Map.of("sync-timeout", "0s"));
        manager.start();
    }

    @AfterEach
    void stopServer() {
        manager.close();
        cluster.close();
    }

    @Test
    void unauthorizedNamesTheCredentials() {
        refuseNamespace(401, "Unauthorized", "Unauthorized");

        assertFails(
                this::deploy,
                ErrorCategory.UNAVAILABLE,
                message -> assertThat(message)
                        .startsWith(
                                "EMP's Kubernetes credentials were refused (401 Unauthorized: Unauthorized) while deploying"
                                        + " app 'tck/web'")
                        .contains("kubeconfig context"));
    }

    @Test
    void forbiddenNamesTheClusterRole() {
        refuseNamespace(
                403,
                "Forbidden",
                "namespaces \"emp-tck\" is forbidden: User \"system:serviceaccount:emp:emp-server\" cannot patch"
                        + " resource \"namespaces\" in API group \"\" at the cluster scope");

        assertFails(
                this::deploy,
                ErrorCategory.UNAVAILABLE,
                message -> assertThat(message)
                        .startsWith(
                                "EMP's Kubernetes credentials were refused (403 Forbidden: namespaces \"emp-tck\" is"
                                        + " forbidden: User \"system:serviceaccount:emp:emp-server\" cannot patch")
                        .contains("check the ServiceAccount's ClusterRole (deploy/kubernetes/rbac.yaml"));
    }

    @Test
    void conflictIsAConflict() {
        refuseNamespace(
                409,
                "Conflict",
                "Operation cannot be fulfilled on namespaces \"emp-tck\": the object has been modified");

        assertFails(
                this::deploy,
                ErrorCategory.CONFLICT,
                message -> assertThat(message)
                        .contains("409 Conflict: Operation cannot be fulfilled on namespaces \"emp-tck\"")
                        .contains("while deploying app 'tck/web'"));
    }

    @Test
    void invalidCarriesKubernetesOwnWordsAndTheFieldsItNames() {
        cluster.server()
                .expect()
                .patch()
                .withPath(NAMESPACE_APPLY)
                .andReturn(
                        422,
                        new StatusBuilder()
                                .withStatus("Failure")
                                .withCode(422)
                                .withReason("Invalid")
                                .withMessage("Namespace \"emp-tck\" is invalid")
                                .withNewDetails()
                                .withName("emp-tck")
                                .withKind("Namespace")
                                .addNewCause()
                                .withField("metadata.labels")
                                .withReason("FieldValueInvalid")
                                .withMessage("Invalid value: \"-x\": a valid label must begin with a letter")
                                .endCause()
                                .endDetails()
                                .build())
                .always();

        assertFails(
                this::deploy,
                ErrorCategory.INVALID,
                message -> assertThat(message)
                        .contains(
                                "422 Invalid: Namespace \"emp-tck\" is invalid [metadata.labels: Invalid value: \"-x\"")
                        .contains("while deploying app 'tck/web'"));
    }

    @Test
    void serverErrorsMeanTryLater() {
        refuseNamespace(503, "ServiceUnavailable", "etcd leader changed");

        assertFails(
                this::deploy,
                ErrorCategory.UNAVAILABLE,
                message -> assertThat(message)
                        .contains("answered 503 (etcd leader changed) while deploying app 'tck/web'; try again later"));
    }

    @Test
    void everyOperationTranslatesTheRefusal() {
        Status forbidden = status(403, "Forbidden", "deployments.apps is forbidden");
        cluster.server()
                .expect()
                .get()
                .withPath("/apis/apps/v1/namespaces/emp-tck/deployments/web")
                .andReturn(403, forbidden)
                .always();
        cluster.server()
                .expect()
                .delete()
                .withPath("/apis/apps/v1/namespaces/emp-tck/deployments/web")
                .andReturn(403, forbidden)
                .always();

        for (ThrowingCallable operation : new ThrowingCallable[] {
            () -> manager.scale(WEB, 2), () -> manager.scale(WEB, 0), () -> manager.remove(WEB, true)
        }) {
            assertFails(
                    operation,
                    ErrorCategory.UNAVAILABLE,
                    message -> assertThat(message)
                            .contains("403 Forbidden: deployments.apps is forbidden")
                            .contains("ClusterRole"));
        }
    }

    @Test
    void readsBeforeTheFirstViewOfTheClusterSaySo() {
        assertFails(
                () -> manager.status(WEB),
                ErrorCategory.UNAVAILABLE,
                message -> assertThat(message)
                        .contains("has not yet read what runs on the Kubernetes cluster at " + cluster.url())
                        .contains("keeps trying"));
        assertThat(manager.check().healthy()).isFalse();
        assertThat(manager.check().detail()).contains("not in sync");
        assertThat(manager.endpoint(WEB)).isEmpty();
    }

    @Test
    void anUnreachableServerIsUnavailableAndTheManagerStillStarts() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = socket.getLocalPort();
        }
        Path kubeconfig = MockCluster.kubeconfig(dir.resolve("closed"), "http://127.0.0.1:" + closed);
        KubernetesClusterManager away = new KubernetesClusterManager(
                Managers.config(Map.of("kubeconfig", kubeconfig.toString(), "sync-timeout", "0s")),
                KubeconfigLoader.system(),
                Clock.systemUTC());
        away.start();
        try {
            assertFails(
                    () -> away.deploy(new AppDeployment(WEB, Managers.web("web"), 1, Map.of())),
                    ErrorCategory.UNAVAILABLE,
                    message -> assertThat(message)
                            .startsWith(
                                    "the Kubernetes API server at http://127.0.0.1:" + closed + "/ cannot be reached (")
                            .contains("while deploying app 'tck/web'")
                            .contains("cluster.kubernetes.kubeconfig"));
            assertThat(away.check().healthy()).isFalse();
        } finally {
            away.close();
        }
    }

    private void deploy() {
        manager.deploy(new AppDeployment(WEB, Managers.web("web"), 1, Map.of("EMP_SERVICE_NAME", "tck/web")));
    }

    private void refuseNamespace(int code, String reason, String message) {
        cluster.server()
                .expect()
                .patch()
                .withPath(NAMESPACE_APPLY)
                .andReturn(code, status(code, reason, message))
                .always();
    }

    private static Status status(int code, String reason, String message) {
        return new StatusBuilder()
                .withStatus("Failure")
                .withCode(code)
                .withReason(reason)
                .withMessage(message)
                .withNewDetails()
                .endDetails()
                .build();
    }

    private static void assertFails(ThrowingCallable operation, ErrorCategory category, Consumer<String> message) {
        assertThatThrownBy(operation)
                .isExactlyInstanceOf(PlatformException.class)
                .satisfies(e -> {
                    assertThat(((PlatformException) e).category()).isEqualTo(category);
                    message.accept(e.getMessage());
                });
    }
}
