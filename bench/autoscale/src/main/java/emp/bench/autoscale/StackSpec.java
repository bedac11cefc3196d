package emp.bench.autoscale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scenario's stack as one run deploys it: the stack file's app specs with their commands' placeholders replaced
 * (the songs stack's {@code ${EMP_SPEC_DIR}/target/songs.jar} by the distribution's songs jar, and
 * {@code ${EMP_SPEC_DIR}} by the stack file's folder, as {@code emp deploy} does), and the scenario's knobs added to
 * the apps' {@code envs}.
 *
 * <p>The songs services read their knobs once, at start, and EMP cannot change a deployed app's environment. So an
 * app whose cost changes during the run is started through {@code sh -c} that reads the knob from a file each time a
 * replica starts: at the change time (and again at the drop) the harness writes the new value and restarts the app's
 * replicas one at a time (each exits and the local cluster starts it again), and every replica started afterwards, by
 * a scheduler too, has the new cost. It is a rolling redeploy of a slower songs, the way such a change reaches
 * production.
 */
final class StackSpec {
    private StackSpec() {}

    /**
     * @param stackFile    the stack, a JSON list of app specs
     * @param replacements text to replace in the apps' commands, one after the other in this order; then
     *                     {@code ${EMP_SPEC_DIR}} by the file's folder, unless the map replaces it itself
     * @param costFile     where the cost-changing app reads its knob; written here with the value before the change
     */
    static ArrayNode build(Path stackFile, Map<String, String> replacements, Scenario scenario, Path costFile)
            throws IOException {
        Map<String, String> all = new LinkedHashMap<>(replacements);
        all.putIfAbsent(
                "${EMP_SPEC_DIR}", stackFile.toAbsolutePath().getParent().toString());
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
                String text = argument.asText();
                for (Map.Entry<String, String> replacement : all.entrySet()) {
                    text = text.replace(replacement.getKey(), replacement.getValue());
                }
                command.add(text);
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
