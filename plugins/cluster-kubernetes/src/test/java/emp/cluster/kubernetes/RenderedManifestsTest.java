package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * What {@code kubectl apply -k deploy/kubernetes} would send, rendered by kubectl itself: every object passes
 * Kubernetes' OpenAPI schema (fabric8's model here, and the npm package {@code kubernetes-models} where node is
 * installed) and every pod template the Pod Security Standard "restricted". Skipped, saying what to install, where
 * kubectl or node is missing; {@link DeployManifestsTest} checks the files themselves everywhere.
 */
class RenderedManifestsTest {
    private static final Path DIR =
            Path.of("").toAbsolutePath().resolve("../../deploy/kubernetes").normalize();
    /** Pinned, so that the schemas checked against do not change under the build. */
    private static final String MODELS = "kubernetes-models@4.5.1";
    /** Where the package is installed once per build folder. */
    private static final Path MODELS_DIR =
            Path.of("target", "kubernetes-models").toAbsolutePath();

    private static final ObjectMapper YAML = Serialization.yamlMapper();
    private static final ObjectMapper JSON = Serialization.jsonMapper();

    private static String rendered;

    @BeforeAll
    static void render() throws IOException, InterruptedException {
        Result kubectl = run(List.of("kubectl", "kustomize", DIR.toString()), Map.of(), 30);
        assumeTrue(
                kubectl != null,
                "kubectl is not installed, so the rendered manifests are not checked; install it (as root: apt-get"
                        + " install -y kubernetes-client) to check them");
        assertThat(kubectl.code())
                .as("kubectl kustomize %s: %s", DIR, kubectl.output())
                .isZero();
        rendered = kubectl.output();
    }

    @Test
    void everyRenderedObjectIsOfTheSchemaAndEveryPodRestricted() throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        for (JsonNode document : documents()) {
            KubernetesResource resource = ModelChecks.read(document);
            objects.add((HasMetadata) resource);
        }

        assertThat(objects)
                .extracting(
                        object -> object.getKind() + "/" + object.getMetadata().getName())
                .contains("NetworkPolicy/redis", "Deployment/emp-server", "Deployment/redis", "StatefulSet/kafka");
        List<PodSpec> pods = new ArrayList<>();
        for (HasMetadata object : objects) {
            if (object instanceof Deployment deployment) {
                pods.add(deployment.getSpec().getTemplate().getSpec());
            } else if (object instanceof StatefulSet statefulSet) {
                pods.add(statefulSet.getSpec().getTemplate().getSpec());
            }
        }
        assertThat(pods)
                .hasSize(4)
                .allSatisfy(pod -> assertThat(RestrictedProfile.violations(pod))
                        .as("pod of %s", pod.getContainers().get(0).getName())
                        .isEmpty());
    }

    @Test
    void kubernetesModelsAcceptsEveryRenderedObject() throws IOException, InterruptedException {
        Result node = run(List.of("node", "--version"), Map.of(), 10);
        assumeTrue(
                node != null,
                "node is not installed, so the manifests are not checked against kubernetes-models; install node and"
                        + " npm (as root: apt-get install -y nodejs npm) to check them");
        if (!Files.isDirectory(MODELS_DIR.resolve("node_modules/kubernetes-models"))) {
            Files.createDirectories(MODELS_DIR);
            Result npm = run(
                    List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", MODELS_DIR.toString(), MODELS),
                    Map.of(),
                    120);
            assumeTrue(
                    npm != null && npm.code() == 0,
                    "npm could not install " + MODELS + " into " + MODELS_DIR + " ("
                            + (npm == null
                                    ? "npm is not installed"
                                    : npm.output().strip()) + "); the schema check of"
                            + " kubernetes-models is skipped");
        }
        Files.writeString(
                MODELS_DIR.resolve("objects.json"), JSON.writeValueAsString(documents()), StandardCharsets.UTF_8);
        Path script = Path.of("target", "test-classes", "validate-manifests.js").toAbsolutePath();

        Result check = run(
                List.of(
                        "node",
                        script.toString(),
                        MODELS_DIR.resolve("objects.json").toString()),
                Map.of("NODE_PATH", MODELS_DIR.resolve("node_modules").toString()),
                30);

        assertThat(check).isNotNull();
        assertThat(check.code())
                .as("kubernetes-models says:%n%s", check.output())
                .isZero();
        assertThat(check.output()).contains("object(s) valid");
    }

    private static List<JsonNode> documents() throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).readValues(rendered)) {
            while (values.hasNext()) {
                JsonNode document = (JsonNode) values.next();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    documents.add(document);
                }
            }
        }
        assertThat(documents).isNotEmpty();
        return documents;
    }

    private record Result(int code, String output) {}

    /** Runs a command; null when it cannot be started (not installed). */
    private static Result run(List<String> command, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("emp-manifests", ".out");
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(env);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                return null;
            }
            process.getOutputStream().close();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " took more than " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
