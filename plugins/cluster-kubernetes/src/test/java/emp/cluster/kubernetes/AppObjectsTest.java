package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import emp.spi.AppRef;
import emp.spi.ErrorCategory;
import emp.spi.PlatformException;
import emp.spi.app.AppSpec;
import emp.spi.app.EnvVar;
import emp.spi.app.HealthProbe;
import emp.spi.app.Resources;
import emp.spi.app.Rollout;
import emp.spi.cluster.AppDeployment;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What EMP writes for an app, field by field, and that each object survives the Kubernetes schema. */
class AppObjectsTest {
    private static final AppRef SONGS = new AppRef("alice", "songs");
    private static final Map<String, String> LABELS = Map.of(
            "app.kubernetes.io/name", "songs",
            "app.kubernetes.io/managed-by", "emp",
            "emp.io/owner", "alice");
    private static final Map<String, String> ANNOTATIONS = Map.of("emp.io/owner", "alice", "emp.io/app", "songs");

    private final AppObjects objects = new AppObjects(Managers.config(Map.of(
            "exposure", "Ingress",
            "ingress-class", "nginx",
            "ingress-host", "apps.example.com",
            "storage-class", "fast-ssd",
            "volume-size", "5Gi",
            "kafka-address", "kafka.emp.svc.cluster.local:9092")));

    @Test
    void namespaceIsTheOwnersAndMarkedAsEmps() {
        Namespace namespace = ModelChecks.roundTrip(objects.namespace(objects.names(SONGS)));

        assertThat(namespace.getApiVersion()).isEqualTo("v1");
        assertThat(namespace.getKind()).isEqualTo("Namespace");
        assertThat(namespace.getMetadata().getName()).isEqualTo("emp-alice");
        assertThat(namespace.getMetadata().getLabels())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "app.kubernetes.io/managed-by",
                        "emp",
                        "emp.io/owner",
                        "alice",
                        "pod-security.kubernetes.io/enforce",
                        "restricted"));
        assertThat(namespace.getMetadata().getAnnotations()).containsExactlyEntriesOf(Map.of("emp.io/owner", "alice"));
    }

    @Test
    void statelessAppIsADeployment() {
        Deployment deployment = ModelChecks.roundTrip(objects.deployment(songs(true)));

        assertThat(deployment.getApiVersion()).isEqualTo("apps/v1");
        assertThat(deployment.getKind()).isEqualTo("Deployment");
        assertMetadata(deployment.getMetadata());
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).isEqualTo(LABELS);
        assertThat(deployment.getSpec().getSelector().getMatchExpressions()).isEmpty();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).isEqualTo(LABELS);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsAllEntriesOf(ANNOTATIONS)
                .containsOnlyKeys("emp.io/owner", "emp.io/app", "emp.io/template-digest")
                .hasEntrySatisfying(
                        "emp.io/template-digest", digest -> assertThat(digest).matches("[0-9a-f]{16}"));
        assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
                .isEqualTo(new IntOrString(0));
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge())
                .isEqualTo(new IntOrString("25%"));
        assertThat(deployment.getSpec().getRevisionHistoryLimit()).isEqualTo(3);

        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getEnableServiceLinks()).isFalse();
        assertThat(pod.getVolumes()).isEmpty();
        assertThat(pod.getContainers()).hasSize(1);
        Container container = pod.getContainers().get(0);
        assertContainer(container);
        assertThat(container.getVolumeMounts()).isEmpty();
    }

    @Test
    void statefulAppIsAStatefulSetWithAVolumePerReplica() {
        StatefulSet statefulSet = ModelChecks.roundTrip(objects.statefulSet(songs(false)));

        assertThat(statefulSet.getApiVersion()).isEqualTo("apps/v1");
        assertThat(statefulSet.getKind()).isEqualTo("StatefulSet");
        assertMetadata(statefulSet.getMetadata());
        assertThat(statefulSet.getSpec().getReplicas()).isEqualTo(3);
        assertThat(statefulSet.getSpec().getServiceName()).isEqualTo("songs");
        assertThat(statefulSet.getSpec().getSelector().getMatchLabels()).isEqualTo(LABELS);
        assertThat(statefulSet.getSpec().getTemplate().getMetadata().getLabels())
                .isEqualTo(LABELS);
        assertThat(statefulSet.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(statefulSet.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(statefulSet
                        .getSpec()
                        .getPersistentVolumeClaimRetentionPolicy()
                        .getWhenDeleted())
                .as("the data outlives the app's removal")
                .isEqualTo("Retain");
        assertThat(statefulSet
                        .getSpec()
                        .getPersistentVolumeClaimRetentionPolicy()
                        .getWhenScaled())
                .as("and its scaling down")
                .isEqualTo("Retain");

        assertThat(statefulSet.getSpec().getVolumeClaimTemplates()).hasSize(1);
        PersistentVolumeClaim claim =
                statefulSet.getSpec().getVolumeClaimTemplates().get(0);
        assertThat(claim.getMetadata().getName()).isEqualTo("data");
        assertThat(claim.getMetadata().getLabels()).isEqualTo(LABELS);
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
        assertThat(claim.getSpec().getResources().getRequests())
                .containsExactlyEntriesOf(Map.of("storage", new Quantity("5Gi")));

        Container container =
                statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertContainer(container);
        assertThat(container.getVolumeMounts())
                .extracting(mount -> mount.getName(), mount -> mount.getMountPath())
                .containsExactly(tuple("data", "/data"));
    }

    @Test
    void volumesTakeTheDefaultSizeAndTheClustersDefaultClass() {
        AppObjects defaults = new AppObjects(KubernetesClusterConfig.defaults());

        PersistentVolumeClaim claim = defaults.statefulSet(songs(false))
                .getSpec()
                .getVolumeClaimTemplates()
                .get(0);

        assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("1Gi"));
        assertThat(claim.getSpec().getStorageClassName()).isNull();
    }

    @Test
    void serviceAndIngressRouteUserAndAppPathToThePods() {
        Service service = ModelChecks.roundTrip(objects.service(objects.names(SONGS)));

        assertMetadata(service.getMetadata());
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getSelector()).isEqualTo(LABELS);
        assertThat(service.getSpec().getPorts()).hasSize(1);
        ServicePort port = service.getSpec().getPorts().get(0);
        assertThat(port.getName()).isEqualTo("http");
        assertThat(port.getPort()).isEqualTo(80);
        assertThat(port.getTargetPort()).isEqualTo(new IntOrString("http"));
        assertThat(port.getProtocol()).isEqualTo("TCP");

        Ingress ingress = ModelChecks.roundTrip(objects.ingress(objects.names(SONGS)));
        assertThat(ingress.getApiVersion()).isEqualTo("networking.k8s.io/v1");
        assertMetadata(ingress.getMetadata());
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getSpec().getRules()).hasSize(1);
        IngressRule rule = ingress.getSpec().getRules().get(0);
        assertThat(rule.getHost()).isEqualTo("apps.example.com");
        assertThat(rule.getHttp().getPaths()).hasSize(1);
        HTTPIngressPath path = rule.getHttp().getPaths().get(0);
        assertThat(path.getPath()).isEqualTo("/alice/songs");
        assertThat(path.getPathType()).isEqualTo("Prefix");
        assertThat(path.getBackend().getService().getName()).isEqualTo("songs");
        assertThat(path.getBackend().getService().getPort().getNumber()).isEqualTo(80);
    }

    @Test
    void serviceTypeFollowsTheExposure() {
        for (Map.Entry<String, String> exposure :
                Map.of("LoadBalancer", "LoadBalancer", "NodePort", "NodePort").entrySet()) {
            AppObjects exposed = new AppObjects(Managers.config(Map.of("exposure", exposure.getKey())));

            Service service = ModelChecks.roundTrip(exposed.service(exposed.names(SONGS)));

            assertThat(service.getSpec().getType()).isEqualTo(exposure.getValue());
        }
    }

    @Test
    void withoutAHealthPathAReplicaIsReadyOnceItsPortTakesConnections() {
        AppObjects defaults = new AppObjects(KubernetesClusterConfig.defaults());
        AppSpec spec = Managers.web("songs");
        AppSpec noHealth = new AppSpec(
                "songs",
                spec.dockerImage(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);

        Container container = defaults.deployment(new AppDeployment(SONGS, noHealth, 1, Map.of()))
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);

        assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(8080);
        for (Probe probe : List.of(container.getReadinessProbe(), container.getLivenessProbe())) {
            assertThat(probe.getHttpGet()).isNull();
            assertThat(probe.getTcpSocket().getPort()).isEqualTo(new IntOrString("http"));
        }
        assertThat(container.getResources()).isNull();
        assertThat(container.getEnv())
                .extracting(env -> env.getName() + "=" + env.getValue())
                .containsExactly("PORT=8080", "EMP_INSTANCE=null");
        assertThat(container.getEnv().get(1).getValueFrom().getFieldRef().getFieldPath())
                .as("the pod's name")
                .isEqualTo("metadata.name");
    }

    @Test
    void withoutAKafkaAddressThePlatformsOwnIsPassedOn() {
        AppObjects defaults = new AppObjects(KubernetesClusterConfig.defaults());

        List<io.fabric8.kubernetes.api.model.EnvVar> environment = defaults.environment(songs(true));

        assertThat(environment)
                .extracting(env -> env.getName() + "=" + env.getValue())
                .contains("KAFKA_ADDRESS=127.0.0.1:9092", "KAFKAADDRESS=127.0.0.1:9092");
    }

    @Test
    void aSpecWithoutAnImageIsRefusedNamingTheField() {
        AppSpec jar = AppSpec.ofCommand("songs", List.of("java", "-jar", "songs.jar"));

        assertThatThrownBy(() -> AppObjects.validate(jar)).isInstanceOfSatisfying(PlatformException.class, e -> {
            assertThat(e.category()).isEqualTo(ErrorCategory.UNSUPPORTED);
            assertThat(e.field()).contains("docker_image");
            assertThat(e.getMessage())
                    .contains("app 'songs' has no 'docker_image'")
                    .contains("container images, not commands");
        });
        AppObjects.validate(Managers.web("songs"));
    }

    @Test
    void secretsAreReferencesToTheAppsSecretAndNeverValuesInTheWorkload() {
        AppDeployment deployment = withSecrets(
                songs(true),
                Map.of(
                        "API_TOKEN", "s3cr3t-token",
                        "GREETING", "s3cr3t-greeting",
                        "EMP_SERVICE_NAME", "s3cr3t-shadowed"));

        Deployment workload = ModelChecks.roundTrip(objects.deployment(deployment));

        List<io.fabric8.kubernetes.api.model.EnvVar> environment = workload.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv();
        assertThat(environment)
                .extracting(
                        io.fabric8.kubernetes.api.model.EnvVar::getName,
                        env -> env.getValue(),
                        env -> env.getValueFrom() == null || env.getValueFrom().getSecretKeyRef() == null
                                ? null
                                : env.getValueFrom().getSecretKeyRef().getName() + "/"
                                        + env.getValueFrom().getSecretKeyRef().getKey())
                .as("a secret replaces the spec's env of its name, and the platform's variables replace a secret")
                .containsExactly(
                        tuple("GREETING", null, "songs-secrets/GREETING"),
                        tuple("API_TOKEN", null, "songs-secrets/API_TOKEN"),
                        tuple("EMP_SERVICE_NAME", "alice/songs", null),
                        tuple("KAFKAADDRESS", "kafka.emp.svc.cluster.local:9092", null),
                        tuple("KAFKA_ADDRESS", "kafka.emp.svc.cluster.local:9092", null),
                        tuple("SONG_DB_URL", "http://song-db.emp-alice.svc.cluster.local:80", null),
                        tuple("PORT", "8080", null),
                        tuple("EMP_INSTANCE", null, null));
        String json = Serialization.asJson(workload);
        assertThat(json).doesNotContain("s3cr3t");
        assertThat(workload.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("emp.io/secrets-digest", objects.secretsDigest(deployment.secrets()));

        Secret secret = ModelChecks.roundTrip(objects.secret(deployment));
        assertThat(secret.getApiVersion()).isEqualTo("v1");
        assertThat(secret.getKind()).isEqualTo("Secret");
        assertThat(secret.getMetadata().getName()).isEqualTo("songs-secrets");
        assertThat(secret.getMetadata().getNamespace()).isEqualTo("emp-alice");
        assertThat(secret.getMetadata().getLabels()).isEqualTo(LABELS);
        assertThat(secret.getMetadata().getAnnotations()).isEqualTo(ANNOTATIONS);
        assertThat(secret.getType()).isEqualTo("Opaque");
        assertThat(secret.getStringData()).isNullOrEmpty();
        assertThat(decode(secret.getData())).containsExactlyInAnyOrderEntriesOf(deployment.secrets());
    }

    @Test
    void aChangedSecretValueChangesTheTemplateAndOnlyThenTheDigestsDiffer() {
        AppDeployment first = withSecrets(songs(true), Map.of("API_TOKEN", "one"));
        AppDeployment same = withSecrets(songs(true), Map.of("API_TOKEN", "one"));
        AppDeployment changed = withSecrets(songs(true), Map.of("API_TOKEN", "two"));

        assertThat(templateAnnotations(same)).isEqualTo(templateAnnotations(first));
        assertThat(templateAnnotations(changed).get("emp.io/secrets-digest"))
                .matches("[0-9a-f]{16}")
                .isNotEqualTo(templateAnnotations(first).get("emp.io/secrets-digest"));
        assertThat(templateAnnotations(changed).get("emp.io/template-digest"))
                .isNotEqualTo(templateAnnotations(first).get("emp.io/template-digest"));
        assertThat(templateAnnotations(songs(true)))
                .as("no secrets, no digest of them")
                .doesNotContainKey("emp.io/secrets-digest");
        assertThat(objects.secretsDigest(Map.of("A", "BC")))
                .as("each name and value counts apart")
                .isNotEqualTo(objects.secretsDigest(Map.of("AB", "C")));
        assertThat(new AppObjects(Managers.config(Map.of())).secretsDigest(Map.of("API_TOKEN", "one")))
                .as("keyed: who has not the plugin's key cannot test a guess")
                .isNotEqualTo(objects.secretsDigest(Map.of("API_TOKEN", "one")));
        assertThat(templateAnnotations(first).values()).noneMatch(value -> value.contains("one"));
    }

    @Test
    void aSecretNameThatCannotBeASecretKeyIsRefusedWithoutItsValue() {
        AppDeployment deployment = withSecrets(songs(true), Map.of("API TOKEN", "s3cr3t"));

        assertThatThrownBy(() -> SecretObjects.validate(deployment))
                .isInstanceOfSatisfying(PlatformException.class, e -> {
                    assertThat(e.category()).isEqualTo(ErrorCategory.INVALID);
                    assertThat(e.field()).contains("secrets");
                    assertThat(e.getMessage())
                            .startsWith("secret 'API TOKEN' of app 'alice/songs' cannot be a key")
                            .doesNotContain("s3cr3t");
                });
        SecretObjects.validate(withSecrets(songs(true), Map.of("API_TOKEN", "s3cr3t")));
    }

    private Map<String, String> templateAnnotations(AppDeployment deployment) {
        return objects.deployment(deployment)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations();
    }

    static Map<String, String> decode(Map<String, String> data) {
        Map<String, String> decoded = new TreeMap<>();
        data.forEach((key, value) ->
                decoded.put(key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
        return decoded;
    }

    private static AppDeployment withSecrets(AppDeployment deployment, Map<String, String> secrets) {
        return new AppDeployment(
                deployment.app(),
                deployment.spec(),
                deployment.replicas(),
                deployment.environment(),
                deployment.wakesOnDemand(),
                secrets);
    }

    /** alice's songs: three replicas calling song-db, with the platform's variables as the host injects them. */
    @Test
    void theSpecsRolloutIsTheDeploymentsStrategy() {
        AppDeployment songs = songs(true);
        AppSpec spec = songs.spec();
        AppSpec rolled = spec.withRollout(new Rollout("2", "10%"));

        Deployment deployment =
                ModelChecks.roundTrip(objects.deployment(new AppDeployment(SONGS, rolled, 3, songs.environment())));

        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge())
                .isEqualTo(new IntOrString(2));
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable())
                .isEqualTo(new IntOrString("10%"));
    }

    private static AppDeployment songs(boolean stateless) {
        AppSpec spec = new AppSpec(
                "songs",
                "registry.example.com/songs:1.2",
                stateless,
                8080,
                List.of(new EnvVar("GREETING", "hi"), new EnvVar("PORT", "1")),
                List.of(),
                List.of("ignored", "on", "kubernetes"),
                3,
                null,
                null,
                new Resources("250m", "256Mi"),
                new HealthProbe("/health"),
                List.of("song-db"),
                null,
                null,
                null);
        return new AppDeployment(
                SONGS,
                spec,
                3,
                Map.of(
                        "EMP_SERVICE_NAME", "alice/songs",
                        "KAFKA_ADDRESS", "127.0.0.1:9092",
                        "KAFKAADDRESS", "127.0.0.1:9092"));
    }

    private static void assertMetadata(ObjectMeta metadata) {
        assertThat(metadata.getName()).isEqualTo("songs");
        assertThat(metadata.getNamespace()).isEqualTo("emp-alice");
        assertThat(metadata.getLabels()).isEqualTo(LABELS);
        assertThat(metadata.getAnnotations()).isEqualTo(ANNOTATIONS);
    }

    private static void assertContainer(Container container) {
        assertThat(container.getName()).isEqualTo("app");
        assertThat(container.getImage()).isEqualTo("registry.example.com/songs:1.2");
        assertThat(container.getCommand())
                .as("the local cluster's command is not the image's")
                .isEmpty();
        assertThat(container.getArgs()).isEmpty();
        assertThat(container.getPorts())
                .extracting(port -> port.getName(), port -> port.getContainerPort(), port -> port.getProtocol())
                .containsExactly(tuple("http", 8080, "TCP"));
        assertThat(container.getEnv())
                .extracting(env -> env.getName() + "=" + env.getValue())
                .containsExactly(
                        "GREETING=hi",
                        "EMP_SERVICE_NAME=alice/songs",
                        "KAFKAADDRESS=kafka.emp.svc.cluster.local:9092",
                        "KAFKA_ADDRESS=kafka.emp.svc.cluster.local:9092",
                        "SONG_DB_URL=http://song-db.emp-alice.svc.cluster.local:80",
                        "PORT=8080",
                        "EMP_INSTANCE=null");
        assertThat(container.getResources().getRequests())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("cpu", new Quantity("250m"), "memory", new Quantity("256Mi")));
        assertThat(container.getResources().getLimits())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("cpu", new Quantity("250m"), "memory", new Quantity("256Mi")));

        Probe readiness = container.getReadinessProbe();
        assertThat(readiness.getHttpGet().getPath()).isEqualTo("/health");
        assertThat(readiness.getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
        assertThat(readiness.getInitialDelaySeconds()).isZero();
        assertThat(readiness.getPeriodSeconds()).isEqualTo(5);
        assertThat(readiness.getFailureThreshold()).isEqualTo(3);
        assertThat(readiness.getTimeoutSeconds()).isEqualTo(2);
        Probe liveness = container.getLivenessProbe();
        assertThat(liveness.getHttpGet().getPath()).isEqualTo("/health");
        assertThat(liveness.getInitialDelaySeconds()).isEqualTo(10);
        assertThat(liveness.getPeriodSeconds()).isEqualTo(10);
        assertThat(liveness.getFailureThreshold()).isEqualTo(6);
    }
}
