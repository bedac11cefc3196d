package emp.bench.autoscale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The songs stack of {@code examples/songs/stack.json} as one run deploys it: {@code ${EMP_SPEC_DIR}/target/songs.jar}
 * replaced by the distribution's songs jar, and the scenario's knobs added to the apps' {@code envs}.
 *
 * <p>The songs services read their knobs once, at start, and EMP cannot change a deployed app's environment. So an
 * app whose cost changes during the run is started through {@code sh -c} that reads the knob from a file each time a
 * replica starts: at the change time the harness writes the new value and restarts the app's replicas one at a time
 * (each exits and the local cluster starts it again), and every replica started afterwards, by a scheduler too, has
 * the new cost. It is a rolling redeploy of a slower songs, the way such a change reaches production.
 */
final class StackSpec {
    private StackSpec() {}

    /**
     * @param stackFile the songs stack
     * @param songsJar  the jar every app runs
     * @param costFile  where the cost-changing app reads its knob; written here with the value before the change
     */
    static ArrayNode build(Path stackFile, Path songsJar, Scenario scenario, Path costFile) throws IOException {
        JsonNode stack = EmpApi.JSON.readTree(Files.readString(stackFile));
        if (!stack.isArray()) {
            throw new IllegalArgumentException(stackFile + " is not a list of app specs");
        }
        ArrayNode specs = EmpApi.JSON.createArrayNode();
        for (JsonNode original : stack) {
            ObjectNode spec = original.deepCopy();
            String name = spec.path("name").asText();
            ArrayNode command = EmpApi.JSON.createArrayNode();
            for (JsonNode argument : spec.withArray("command")) {
                command.add(argument.asText().replace("${EMP_SPEC_DIR}/target/songs.jar", songsJar.toString()));
            }
            ArrayNode envs = spec.withArray("envs");
            for (Map.Entry<String, String> knob :
                    scenario.knobs().getOrDefault(name, Map.of()).entrySet()) {
                envs.addObject().put("name", knob.getKey()).put("value", knob.getValue());
            }
            if (scenario.costChange().isPresent()
                    && scenario.costChange().get().app().equals(name)) {
                Scenario.CostChange change = scenario.costChange().get();
                Files.writeString(costFile, change.before());
                StringBuilder script =
                        new StringBuilder("export " + change.variable() + "=\"$(cat '" + costFile + "')\"; exec");
                for (JsonNode argument : command) {
                    script.append(" '").append(argument.asText()).append("'");
                }
                command = EmpApi.JSON.createArrayNode().add("sh").add("-c").add(script.toString());
            }
            spec.set("command", command);
            specs.add(spec);
        }
        return specs;
    }
}
