package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.cluster.AppDeployment;
import emp.testsupport.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EMP changes and deletes only what it made for the app: objects of the same name that are not its own stay. */
class OwnershipTest {
    private static final AppRef WEB = new AppRef("tck", "web");

    @TempDir
    Path dir;

    private MockCluster cluster;
    private KubernetesClient client;
    private KubernetesClusterManager manager;

    @BeforeEach
    void start() {
        cluster = MockCluster.crud();
        client = cluster.client();
        manager = Managers.manager(cluster, dir, Map.of());
        manager.start();
    }

    @AfterEach
    void stop() {
        manager.close();
        cluster.close();
    }

    @Test
    void anUnlabelledDeploymentOfTheAppsNameIsNotOverwritten() {
        client.resource(foreignDeployment("emp-tck", "web")).create();

        assertConflict(
                this::deploy,
                message -> assertThat(message)
                        .startsWith("Deployment 'emp-tck/web' exists but was not made by EMP (it has no label"
                                + " app.kubernetes.io/managed-by=emp), so EMP leaves it alone and stops deploying app"
                                + " 'tck/web'")
                        .contains("delete or rename that Deployment"));

        Deployment kept = client.apps()
                .deployments()
                .inNamespace("emp-tck")
                .withName("web")
                .get();
        assertThat(kept.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("someone/else:1");
        assertThat(kept.getMetadata().getLabels()).doesNotContainKey(Labels.MANAGED_BY);
    }

    @Test
    void scaleStopAndRemoveLeaveAForeignDeploymentAlone() {
        client.resource(foreignDeployment("emp-tck", "web")).create();

        for (ThrowingCallable operation : new ThrowingCallable[] {
            () -> manager.scale(WEB, 3), () -> manager.scale(WEB, 0), () -> manager.remove(WEB, false)
        }) {
            assertConflict(operation, message -> assertThat(message).contains("Deployment 'emp-tck/web' exists but"));
        }
        Deployment kept = client.apps()
                .deployments()
                .inNamespace("emp-tck")
                .withName("web")
                .get();
        assertThat(kept).isNotNull();
        assertThat(kept.getSpec().getReplicas()).isEqualTo(1);
    }

    @Test
    void anotherAppsObjectIsNotTaken() {
        AppObjects objects = new AppObjects(Managers.config(Map.of()));
        // EMP's own Service, but of an app whose name was cut to the same object name.
        client.resource(new ServiceBuilder(objects.service(objects.names(WEB)))
                        .editMetadata()
                        .addToAnnotations(Labels.APP_ANNOTATION, "Web")
                        .endMetadata()
                        .build())
                .create();

        assertConflict(
                this::deploy,
                message -> assertThat(message).startsWith("Service 'emp-tck/web' belongs to app 'Web', not to 'web'"));
        assertThat(client.apps()
                        .deployments()
                        .inNamespace("emp-tck")
                        .withName("web")
                        .get())
                .isNull();
    }

    @Test
    void aNamespaceOfTheUsersNameThatIsNotEmpsIsNotUsed() {
        client.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("emp-tck")
                        .endMetadata()
                        .build())
                .create();

        assertConflict(
                this::deploy,
                message -> assertThat(message).startsWith("Namespace 'emp-tck' exists but was not made by EMP"));
        assertThat(client.apps().deployments().inNamespace("emp-tck").list().getItems())
                .isEmpty();
    }

    @Test
    void anotherUsersNamespaceIsNotUsed() {
        AppObjects objects = new AppObjects(Managers.config(Map.of()));
        client.resource(new NamespaceBuilder(objects.namespace(objects.names(WEB)))
                        .editMetadata()
                        .addToAnnotations(Labels.OWNER_ANNOTATION, "TCK")
                        .endMetadata()
                        .build())
                .create();

        assertConflict(
                this::deploy,
                message -> assertThat(message).startsWith("Namespace 'emp-tck' belongs to user 'TCK', not to 'tck'"));
    }

    private void deploy() {
        manager.deploy(new AppDeployment(WEB, Managers.web("web"), 1, Map.of()));
    }

    private static Deployment foreignDeployment(String namespace, String name) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", name)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("main")
                .withImage("someone/else:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static void assertConflict(ThrowingCallable operation, Consumer<String> message) {
        assertThatThrownBy(operation)
                .isExactlyInstanceOf(PlatformException.class)
                .satisfies(e -> {
                    assertThat(((PlatformException) e).category()).isEqualTo(ErrorCategory.CONFLICT);
                    message.accept(e.getMessage());
                });
    }
}
