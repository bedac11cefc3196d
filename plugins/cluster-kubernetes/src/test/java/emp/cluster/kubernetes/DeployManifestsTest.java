package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import emp.cluster.kubernetes.KubernetesPermissions.Permission;
import emp.spi.PluginConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The manifests in {@code deploy/kubernetes} that install EMP: each document is a Kubernetes object its schema
 * accepts, they fit together (selectors, names, ports, the ServiceAccount), the server's configuration binds, and the
 * ClusterRole grants exactly what the plugin uses.
 */
class DeployManifestsTest {
    private static final Path DIR =
            Path.of("").toAbsolutePath().resolve("../../deploy/kubernetes").normalize();
    private static final ObjectMapper YAML = Serialization.yamlMapper();

    private static final List<HasMetadata> objects = new ArrayList<>();

    @BeforeAll
    static void readManifests() throws IOException {
        assertThat(DIR)
                .as("the manifests' folder (the tests run from plugins/cluster-kubernetes)")
                .isDirectory();
        for (Path file : manifests()) {
            for (JsonNode document : documents(file)) {
                KubernetesResource resource = ModelChecks.read(document);
                assertThat(resource).as("%s holds Kubernetes objects", file).isInstanceOf(HasMetadata.class);
                objects.add((HasMetadata) resource);
            }
        }
    }

    @Test
    void everyManifestIsAnObjectOfTheKubernetesSchemaInEmpsNamespace() {
        assertThat(objects)
                .extracting(
                        object -> object.getKind() + "/" + object.getMetadata().getName())
                .contains(
                        "Namespace/emp",
                        "ServiceAccount/emp-server",
                        "ClusterRole/emp-cluster-manager",
                        "ClusterRoleBinding/emp-cluster-manager",
                        "ConfigMap/emp-config",
                        "Deployment/emp-server",
                        "Service/emp-server",
                        "Deployment/redis",
                        "Service/redis",
                        "StatefulSet/kafka",
                        "Service/kafka",
                        "Deployment/zipkin",
                        "Service/zipkin")
                .doesNotHaveDuplicates();
        assertThat(objects)
                .filteredOn(object -> object instanceof Namespaced)
                .allSatisfy(object -> assertThat(object.getMetadata().getNamespace())
                        .as("%s %s", object.getKind(), object.getMetadata().getName())
                        .isEqualTo("emp"));
    }

    @Test
    void theKustomizationListsEveryManifest() throws IOException {
        JsonNode kustomization = YAML.readTree(Files.readString(DIR.resolve("kustomization.yaml")));
        List<String> resources = new ArrayList<>();
        kustomization.path("resources").forEach(resource -> resources.add(resource.asString()));

        assertThat(kustomization.path("kind").asString()).isEqualTo("Kustomization");
        assertThat(resources)
                .containsExactlyInAnyOrderElementsOf(manifests().stream()
                        .map(file -> file.getFileName().toString())
                        .toList());
    }

    @Test
    void theClusterRoleGrantsExactlyWhatThePluginUses() {
        ClusterRole role = one(ClusterRole.class, "emp-cluster-manager");
        Set<Permission> granted = new HashSet<>();
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getResourceNames())
                    .as("no rule is limited to names")
                    .isEmpty();
            assertThat(rule.getNonResourceURLs()).isEmpty();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        assertThat(List.of(group, resource, verb))
                                .as("no wildcard")
                                .doesNotContain("*");
                        granted.add(new Permission(group, resource, verb));
                    }
                }
            }
        }

        assertThat(granted).containsExactlyInAnyOrderElementsOf(KubernetesPermissions.REQUIRED);

        ClusterRoleBinding binding = one(ClusterRoleBinding.class, "emp-cluster-manager");
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo("emp-cluster-manager");
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo("emp-server");
            assertThat(subject.getNamespace()).isEqualTo("emp");
        });
        assertThat(one(Deployment.class, "emp-server")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getServiceAccountName())
                .isEqualTo("emp-server");
    }

    @Test
    void theServersConfigurationSelectsKubernetesRedisAndKafkaAndBinds() {
        Map<String, String> settings = settings();

        assertThat(settings)
                .containsEntry("cluster.use", "kubernetes")
                .containsEntry("cluster.kubernetes.in-cluster", "true")
                .containsEntry("store.use", "redis")
                .doesNotContainKey("store.redis.url")
                .containsEntry("tracing.use", "kafka")
                .containsEntry("api.host", "0.0.0.0");
        Map<String, String> section = new TreeMap<>();
        settings.forEach((key, value) -> {
            if (key.startsWith(KubernetesClusterConfig.SECTION + ".")) {
                section.put(key.substring(KubernetesClusterConfig.SECTION.length() + 1), value);
            }
        });
        KubernetesClusterConfig config =
                KubernetesClusterConfig.from(new PluginConfig(KubernetesClusterConfig.SECTION, section));
        assertThat(config.inCluster()).isTrue();
        assertThat(config.kafkaAddress())
                .as("replicas in every namespace reach the broker by its full name")
                .isEqualTo(settings.get("tracing.kafka.bootstrap-servers"))
                .isEqualTo("kafka.emp.svc.cluster.local:9092");
        assertThat(env(one(Deployment.class, "zipkin").getSpec().getTemplate(), "KAFKA_BOOTSTRAP_SERVERS"))
                .isEqualTo(config.kafkaAddress());
        assertThat(env(one(Deployment.class, "zipkin").getSpec().getTemplate(), "KAFKA_TOPIC"))
                .isEqualTo(settings.get("tracing.kafka.topic"));
    }

    @Test
    void theServerRunsWithItsConfigurationAndIsReachedOnItsApiPort() {
        Deployment server = one(Deployment.class, "emp-server");
        Container container =
                server.getSpec().getTemplate().getSpec().getContainers().get(0);

        assertThat(container.getArgs()).containsExactly("--config", "/etc/emp/emp.yaml");
        assertThat(container.getVolumeMounts())
                .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/etc/emp"));
        assertThat(server.getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(
                        volume -> assertThat(volume.getConfigMap().getName()).isEqualTo("emp-config"));
        assertThat(container.getPorts().get(0).getContainerPort())
                .isEqualTo(Integer.parseInt(settings().get("api.port")));
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(server.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser())
                .as("the Dockerfile's USER")
                .isEqualTo(10001L);
    }

    @Test
    void everyServiceSelectsThePodsOfItsWorkloadByAPortTheyHave() {
        Map<String, PodTemplateSpec> templates = new TreeMap<>();
        objects.forEach(object -> {
            if (object instanceof Deployment deployment) {
                templates.put(
                        deployment.getMetadata().getName(), deployment.getSpec().getTemplate());
            } else if (object instanceof StatefulSet statefulSet) {
                templates.put(
                        statefulSet.getMetadata().getName(),
                        statefulSet.getSpec().getTemplate());
            }
        });

        for (HasMetadata object : objects) {
            if (!(object instanceof Service service)) {
                continue;
            }
            PodTemplateSpec template = templates.get(service.getMetadata().getName());
            assertThat(template)
                    .as(
                            "a workload named like Service %s",
                            service.getMetadata().getName())
                    .isNotNull();
            assertThat(template.getMetadata().getLabels())
                    .containsAllEntriesOf(service.getSpec().getSelector());
            Set<String> ports = new HashSet<>();
            template.getSpec()
                    .getContainers()
                    .forEach(container -> container.getPorts().forEach(port -> ports.add(port.getName())));
            service.getSpec()
                    .getPorts()
                    .forEach(port -> assertThat(ports)
                            .as("Service %s port %s", service.getMetadata().getName(), port.getName())
                            .contains(port.getTargetPort().getStrVal()));
        }
    }

    @Test
    void kafkaAdvertisesTheStableNameOfItsPod() {
        StatefulSet kafka = one(StatefulSet.class, "kafka");
        Service headless = one(Service.class, "kafka");

        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(kafka.getSpec().getServiceName()).isEqualTo("kafka");
        assertThat(kafka.getSpec().getReplicas()).isEqualTo(1);
        assertThat(kafka.getSpec().getTemplate().getSpec().getEnableServiceLinks())
                .as("Kubernetes' KAFKA_PORT variables would be read as broker settings")
                .isFalse();
        assertThat(kafka.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .startsWith("apache/kafka:");
        assertThat(env(kafka.getSpec().getTemplate(), "KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(env(kafka.getSpec().getTemplate(), "KAFKA_ADVERTISED_LISTENERS"))
                .isEqualTo("PLAINTEXT://kafka-0.kafka.emp.svc.cluster.local:9092");
        assertThat(kafka.getSpec().getVolumeClaimTemplates())
                .singleElement()
                .satisfies(claim -> assertThat(claim.getMetadata().getName()).isEqualTo("data"));
    }

    @Test
    void theDockerfileRunsTheDistributionAsTheUserTheDeploymentExpects() throws IOException {
        List<String> lines = Files.readAllLines(DIR.resolve("Dockerfile")).stream()
                .map(String::trim)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();

        assertThat(lines.get(0)).isEqualTo("FROM eclipse-temurin:17-jre");
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("COPY").contains("dist/target/emp /opt/emp"));
        assertThat(lines).contains("USER 10001", "ENTRYPOINT [\"/opt/emp/bin/emp-server\"]");
    }

    @Test
    void redisAsksForThePasswordTheServerConnectsWithAndOnlyTheServerReachesIt() {
        Container redis = one(Deployment.class, "redis")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        Container server = one(Deployment.class, "emp-server")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);

        assertThat(redis.getArgs()).containsSequence("--requirepass", "$(REDIS_PASSWORD)");
        for (Container container : List.of(redis, server)) {
            assertThat(container.getEnv())
                    .filteredOn(env -> env.getName().equals("REDIS_PASSWORD"))
                    .singleElement()
                    .satisfies(env -> {
                        assertThat(env.getValueFrom().getSecretKeyRef().getName())
                                .isEqualTo("redis-auth");
                        assertThat(env.getValueFrom().getSecretKeyRef().getKey())
                                .isEqualTo("password");
                    });
        }
        String url = env(one(Deployment.class, "emp-server").getSpec().getTemplate(), "EMP_STORE_REDIS_URL");
        assertThat(url).isEqualTo("redis://:$(REDIS_PASSWORD)@redis.emp.svc.cluster.local:6379");
        assertThat(server.getEnv())
                .extracting(EnvVar::getName)
                .as("Kubernetes expands $(REDIS_PASSWORD) only when it is defined before")
                .containsSubsequence("REDIS_PASSWORD", "EMP_STORE_REDIS_URL");

        NetworkPolicy policy = one(NetworkPolicy.class, "redis");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("app.kubernetes.io/name", "redis"));
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
                assertThat(peer.getNamespaceSelector()).isNull();
                assertThat(peer.getPodSelector().getMatchLabels())
                        .isEqualTo(Map.of("app.kubernetes.io/name", "emp-server"));
            });
            assertThat(rule.getPorts())
                    .singleElement()
                    .satisfies(port -> assertThat(port.getPort().getIntVal()).isEqualTo(6379));
        });
    }

    @Test
    void everyPodOfEmpPassesPodSecurityRestricted() {
        List<PodTemplateSpec> templates = new ArrayList<>();
        for (HasMetadata object : objects) {
            if (object instanceof Deployment deployment) {
                templates.add(deployment.getSpec().getTemplate());
            } else if (object instanceof StatefulSet statefulSet) {
                templates.add(statefulSet.getSpec().getTemplate());
            }
        }

        assertThat(templates).hasSize(4);
        assertThat(templates)
                .allSatisfy(template -> assertThat(RestrictedProfile.violations(template.getSpec()))
                        .as("pods of %s", template.getMetadata().getLabels().get("app.kubernetes.io/name"))
                        .isEmpty());
        assertThat(RestrictedProfile.violations(new PodSpecBuilder()
                        .addNewContainer()
                        .withName("plain")
                        .endContainer()
                        .build()))
                .as("a pod with no security context breaks the profile")
                .hasSize(4);
    }

    @Test
    void aFieldTheSchemaLacksIsCaught() {
        JsonNode misspelt = YAML.readTree("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: typo
                spec:
                  selector:
                    matchLabels: {app: typo}
                  template:
                    metadata:
                      labels: {app: typo}
                    spec:
                      contianers:
                        - name: app
                          image: example.test/app:1
                """);

        assertThatThrownBy(() -> ModelChecks.read(misspelt))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Deployment.spec.template.spec.contianers");
        assertThatThrownBy(() -> ModelChecks.read(YAML.readTree("apiVersion: v1\nkind: Deployment\n")))
                .as("a kind in the wrong group")
                .isInstanceOf(AssertionError.class);
    }

    /** The server's settings from the ConfigMap's emp.yaml, as dotted keys. */
    private static Map<String, String> settings() {
        ConfigMap config = one(ConfigMap.class, "emp-config");
        JsonNode yaml = YAML.readTree(config.getData().get("emp.yaml"));
        Map<String, String> settings = new TreeMap<>();
        flatten("", yaml, settings);
        return settings;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> settings) {
        if (node.isObject()) {
            node.properties()
                    .forEach(entry -> flatten(
                            prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey(),
                            entry.getValue(),
                            settings));
        } else {
            settings.put(prefix, node.asString());
        }
    }

    private static String env(PodTemplateSpec template, String name) {
        return template.getSpec().getContainers().get(0).getEnv().stream()
                .filter(env -> env.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }

    private static <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = objects.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(object -> object.getMetadata().getName().equals(name))
                .toList();
        assertThat(found)
                .as("%s %s in the manifests", type.getSimpleName(), name)
                .hasSize(1);
        return found.get(0);
    }

    private static List<Path> manifests() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(file -> file.toString().endsWith(".yaml"))
                    .filter(file -> !file.getFileName().toString().equals("kustomization.yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + DIR, e);
        }
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).readValues(Files.readString(file))) {
            while (values.hasNext()) {
                JsonNode document = (JsonNode) values.next();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        }
        assertThat(documents).as("documents in %s", file).isNotEmpty();
        return documents;
    }
}
