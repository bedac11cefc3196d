package emp.bench.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackSpecTest {
    @TempDir
    Path temp;

    @Test
    void theSerialLeafStackRunsItsPythonAppsByAbsolutePath() throws Exception {
        // Maven runs the tests in the module's folder.
        Path stackFile = Path.of("apps/serial-leaf/stack.json");
        Path folder = stackFile.toAbsolutePath().getParent();
        Scenario scenario = Scenario.all(true).get("serial-leaf");

        ArrayNode specs = StackSpec.build(stackFile, Map.of(), scenario, temp.resolve("cost"));

        JsonNode leaf = byName(specs, "leaf");
        JsonNode front = byName(specs, "front");
        assertThat(strings(leaf.get("command"))).containsExactly("python3", "-u", folder + "/leaf.py");
        assertThat(strings(front.get("command"))).containsExactly("python3", "-u", folder + "/front.py");
        assertThat(strings(front.get("dependencies"))).containsExactly("leaf");
        assertThat(front.path("health").path("path").asText()).isEqualTo("/health");
        assertThat(front.path("max_replicas").asInt()).isEqualTo(8);
        assertThat(leaf.path("max_replicas").asInt()).isEqualTo(8);
        assertThat(leaf.path("min_replicas").asInt()).isEqualTo(1);
        assertThat(ExperimentRun.entryTarget(specs, Scenario.Stack.SERIAL_LEAF)).isEqualTo(200);
        assertThat(Files.isRegularFile(folder.resolve("leaf.py"))).isTrue();
        assertThat(Files.isRegularFile(folder.resolve("front.py"))).isTrue();
    }

    @Test
    void theSongsJarIsReplacedAndACostChangeReadsItsFile() throws Exception {
        Path stackFile = temp.resolve("stack.json");
        Files.writeString(stackFile, """
                [{"name": "songs", "command": ["java", "-jar", "${EMP_SPEC_DIR}/target/songs.jar", "songs"]},
                 {"name": "aggregator", "command": ["java", "-jar", "${EMP_SPEC_DIR}/target/songs.jar", "aggregator"],
                  "quality_metrics": [{"metric": "latency_p95_ms", "values": "200"}]}]
                """);
        Path cost = temp.resolve("cost");

        ArrayNode specs = StackSpec.build(
                stackFile,
                Map.of("${EMP_SPEC_DIR}/target/songs.jar", "/dist/examples/songs.jar"),
                Scenario.all(true).get("leaf-cost"),
                cost);

        assertThat(strings(byName(specs, "aggregator").get("command")))
                .containsExactly("java", "-jar", "/dist/examples/songs.jar", "aggregator");
        assertThat(strings(byName(specs, "songs").get("command")))
                .containsExactly(
                        "sh",
                        "-c",
                        "export WORK_LATENCY_MS=\"$(cat '" + cost + "')\"; exec 'java' '-jar'"
                                + " '/dist/examples/songs.jar' 'songs'");
        assertThat(byName(specs, "songs").get("envs").toString()).contains("MAX_CONCURRENCY");
        assertThat(Files.readString(cost)).isEqualTo("10");
        assertThat(ExperimentRun.entryTarget(specs, Scenario.Stack.SONGS)).isEqualTo(200);
    }

    private static JsonNode byName(ArrayNode specs, String name) {
        for (JsonNode spec : specs) {
            if (name.equals(spec.path("name").asText())) {
                return spec;
            }
        }
        throw new AssertionError("no app '" + name + "' in " + specs);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
