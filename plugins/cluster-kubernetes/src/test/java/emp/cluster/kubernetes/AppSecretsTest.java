package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.cluster.AppDeployment;
import emp.testsupport.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app's secrets live in a Secret of its own, which its replicas reference and nothing else shows: against the CRUD
 * mock, the Secret comes, changes and goes with the app's secrets, and a changed value changes the pod template.
 */
class AppSecretsTest {
    private static final AppRef WEB = new AppRef("tck", "web");
    private static final Map<String, String> SECRETS =
            Map.of("DB_PASSWORD", "hunter2-db-value", "API_TOKEN", "tok-api-value");

    @TempDir
    Path dir;

    private MockCluster cluster;
    private KubernetesClusterManager manager;

    @BeforeEach
    void start() {
        cluster = MockCluster.crud();
        manager = Managers.manager(cluster, dir, Map.of());
        manager.start();
    }

    @AfterEach
    void stop() {
        manager.close();
        cluster.close();
    }

    @Test
    void secretsAreKeptInTheAppsSecretAndTheWorkloadOnlyReferencesThem() {
        manager.deploy(deployment(WEB, Managers.web("web"), SECRETS));

        Secret secret = secret("web-secrets");
        assertThat(secret).isNotNull();
        assertThat(secret.getType()).isEqualTo("Opaque");
        assertThat(secret.getMetadata().getLabels())
                .containsEntry(Labels.MANAGED_BY, Labels.EMP)
                .containsEntry(Labels.NAME, "web")
                .containsEntry(Labels.OWNER, "tck");
        assertThat(secret.getMetadata().getAnnotations())
                .containsEntry(Labels.OWNER_ANNOTATION, "tck")
                .containsEntry(Labels.APP_ANNOTATION, "web");
        assertThat(AppObjectsTest.decode(secret.getData())).containsExactlyInAnyOrderEntriesOf(SECRETS);

        Deployment workload = deployment("web");
        assertThat(workload.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .filteredOn(env -> SECRETS.containsKey(env.getName()))
                .hasSize(2)
                .allSatisfy(env -> {
                    assertThat(env.getValue()).isNull();
                    assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("web-secrets");
                    assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(env.getName());
                });
        assertNoSecretValueIn(workload);

        AppRef db = new AppRef("tck", "db");
        manager.deploy(deployment(db, Managers.stateful(Managers.web("db")), SECRETS));
        StatefulSet statefulSet = cluster.client()
                .apps()
                .statefulSets()
                .inNamespace("emp-tck")
                .withName("db")
                .get();
        assertThat(statefulSet
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .extracting(EnvVar::getName)
                .contains("DB_PASSWORD", "API_TOKEN");
        assertNoSecretValueIn(statefulSet);
        assertThat(AppObjectsTest.decode(secret("db-secrets").getData())).containsExactlyInAnyOrderEntriesOf(SECRETS);
    }

    @Test
    void aChangedValueChangesTheSecretAndThePodTemplate() {
        manager.deploy(deployment(WEB, Managers.web("web"), SECRETS));
        PodTemplateSpec before = deployment("web").getSpec().getTemplate();

        manager.deploy(deployment(
                WEB, Managers.web("web"), Map.of("DB_PASSWORD", "changed-db-value", "API_TOKEN", "tok-api-value")));

        PodTemplateSpec after = deployment("web").getSpec().getTemplate();
        assertThat(after.getMetadata().getAnnotations().get(Labels.SECRETS_DIGEST))
                .isNotBlank()
                .isNotEqualTo(before.getMetadata().getAnnotations().get(Labels.SECRETS_DIGEST));
        assertThat(after.getMetadata().getAnnotations().get(Labels.TEMPLATE_DIGEST))
                .as("the pods are replaced")
                .isNotEqualTo(before.getMetadata().getAnnotations().get(Labels.TEMPLATE_DIGEST));
        assertThat(after.getSpec()).as("nothing else changed").isEqualTo(before.getSpec());
        assertThat(AppObjectsTest.decode(secret("web-secrets").getData()))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("DB_PASSWORD", "changed-db-value", "API_TOKEN", "tok-api-value"));
        assertThat(Serialization.asJson(deployment("web"))).doesNotContain("changed-db-value");
    }

    @Test
    void theSecretGoesWithTheAppsLastSecretAndWithTheApp() {
        manager.deploy(deployment(WEB, Managers.web("web"), SECRETS));
        manager.deploy(deployment(WEB, Managers.web("web"), Map.of("API_TOKEN", "tok-api-value")));
        assertThat(AppObjectsTest.decode(secret("web-secrets").getData()))
                .as("an unset secret leaves the Secret")
                .containsOnlyKeys("API_TOKEN");

        manager.deploy(deployment(WEB, Managers.web("web"), Map.of()));

        assertThat(secret("web-secrets")).as("no secrets left").isNull();
        assertThat(deployment("web").getSpec().getTemplate().getMetadata().getAnnotations())
                .doesNotContainKey(Labels.SECRETS_DIGEST);
        assertThat(deployment("web")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .noneMatch(
                        env -> env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null);

        manager.deploy(deployment(WEB, Managers.web("web"), SECRETS));
        assertThat(secret("web-secrets")).isNotNull();
        manager.remove(WEB, true);
        assertThat(secret("web-secrets"))
                .as("removed, even keeping its data: secrets are not data")
                .isNull();
    }

    @Test
    void aSecretOfTheSameNameThatIsNotTheAppsIsLeftAlone() {
        cluster.client()
                .secrets()
                .inNamespace("emp-tck")
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("web-secrets")
                        .withNamespace("emp-tck")
                        .endMetadata()
                        .addToStringData("THEIRS", "their-value")
                        .build())
                .create();

        manager.deploy(deployment(WEB, Managers.web("web"), Map.of()));
        assertThat(secret("web-secrets"))
                .as("an app without secrets has no use for it")
                .isNotNull();

        assertThatThrownBy(() -> manager.deploy(deployment(WEB, Managers.web("web"), SECRETS)))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.CONFLICT);
                    assertThat(e.getMessage())
                            .startsWith("Secret 'emp-tck/web-secrets' exists but was not made by EMP")
                            .doesNotContain("hunter2-db-value", "tok-api-value");
                });

        manager.remove(WEB, false);
        assertThat(secret("web-secrets")).isNotNull();
    }

    private static AppDeployment deployment(AppRef app, AppSpec spec, Map<String, String> secrets) {
        return new AppDeployment(app, spec, 1, Map.of("EMP_SERVICE_NAME", app.toString()), false, secrets);
    }

    private static void assertNoSecretValueIn(HasMetadata workload) {
        String json = Serialization.asJson(workload);
        for (String value : SECRETS.values()) {
            assertThat(json).as("the workload holds no secret's value").doesNotContain(value);
        }
    }

    private Secret secret(String name) {
        return cluster.client().secrets().inNamespace("emp-tck").withName(name).get();
    }

    private Deployment deployment(String name) {
        return cluster.client()
                .apps()
                .deployments()
                .inNamespace("emp-tck")
                .withName(name)
                .get();
    }
}
