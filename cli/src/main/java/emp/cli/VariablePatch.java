package emp.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * A change to an app's config or secrets as {@code PATCH /v1/apps/{id}/config} and {@code .../secrets} take it:
 * {@code {"set": {"K": "V"}, "unset": ["K2"]}}, made from the {@code KEY=VALUE} and {@code KEY} arguments of
 * {@code emp config} and {@code emp secrets}. For secrets no message names more than a key: a value never shows.
 *
 * @param set   the keys to set with their values, in the order given
 * @param unset the keys to remove
 */
record VariablePatch(Map<String, String> set, List<String> unset) {
    VariablePatch {
        set = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(set, "set is null")));
        unset = List.copyOf(requireNonNull(unset, "unset is null"));
    }

    /**
     * The patch that sets {@code arguments}, each {@code KEY=VALUE} (split at the first {@code =}, so a value may
     * hold more) or, when {@code bareValue} is given, a {@code KEY} alone whose value it supplies. Every argument
     * is checked before any value is asked for.
     *
     * @param bareValue the value of a key given alone, asked for in the order of the arguments; null when a key
     *                  alone is a usage error
     * @param secret    whether the values are secret, so that an error names the key only
     * @throws ParameterException naming the argument (its key only, for secrets) that is not a pair, has no key or
     *                            repeats one
     */
    static VariablePatch setting(
            CommandSpec spec, List<String> arguments, UnaryOperator<String> bareValue, boolean secret) {
        String example = secret ? "API_KEY=VALUE" : "LOG_LEVEL=debug";
        Set<String> keys = new LinkedHashSet<>();
        for (String argument : arguments) {
            int equals = argument.indexOf('=');
            if (equals < 0 && bareValue == null) {
                throw new ParameterException(
                        spec.commandLine(), "'" + argument + "' is not KEY=VALUE; write it like " + example);
            }
            String key = equals < 0 ? argument : argument.substring(0, equals);
            if (key.isEmpty()) {
                throw new ParameterException(
                        spec.commandLine(),
                        (secret ? "a pair" : "'" + argument + "'") + " has no key before '='; write it like "
                                + example);
            }
            if (!keys.add(key)) {
                throw new ParameterException(spec.commandLine(), "'" + key + "' is given twice; give each key once");
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String argument : arguments) {
            int equals = argument.indexOf('=');
            if (equals < 0) {
                values.put(argument, bareValue.apply(argument));
            } else {
                values.put(argument.substring(0, equals), argument.substring(equals + 1));
            }
        }
        return new VariablePatch(values, List.of());
    }

    /**
     * The patch that removes the keys {@code arguments}.
     *
     * @param secret whether the values are secret, so that an error about a {@code KEY=VALUE} given here names
     *               the key only
     * @throws ParameterException naming an argument that is empty, holds a value or repeats a key
     */
    static VariablePatch unsetting(CommandSpec spec, List<String> arguments, boolean secret) {
        String example = secret ? "API_KEY" : "LOG_LEVEL";
        Set<String> keys = new LinkedHashSet<>();
        for (String argument : arguments) {
            int equals = argument.indexOf('=');
            if (argument.isEmpty() || equals == 0) {
                throw new ParameterException(
                        spec.commandLine(), "a key is empty; give the keys to unset, like " + example);
            }
            if (equals > 0) {
                String what = secret
                        ? "'" + argument.substring(0, equals) + "' is given with a value"
                        : "'" + argument + "' is not a key";
                throw new ParameterException(spec.commandLine(), what + "; unset takes keys only, like " + example);
            }
            if (!keys.add(argument)) {
                throw new ParameterException(
                        spec.commandLine(), "'" + argument + "' is given twice; give each key once");
            }
        }
        return new VariablePatch(Map.of(), new ArrayList<>(keys));
    }

    /** The request body: both fields, the one not used empty. */
    String body() {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode values = body.putObject("set");
        set.forEach(values::put);
        unset.forEach(body.putArray("unset")::add);
        return Json.compact(body);
    }

    /**
     * What {@code emp} says of the server's answer ({@code {"release": 4, "changed": true, ...}}):
     * {@code set LOG_LEVEL, PORT_X on 'hello': release v4 is rolling out}, or
     * {@code nothing changed; 'hello' stays on release v3}.
     */
    String summary(String app, JsonNode answer) {
        Integer release = AppView.release(answer);
        if (!answer.path("changed").asBoolean(true)) {
            return "nothing changed; '" + app + "' stays on "
                    + (release == null ? "its release" : "release " + ReleaseView.label(release));
        }
        List<String> keys = new ArrayList<>(set.keySet());
        keys.addAll(unset);
        return (set.isEmpty() ? "unset " : "set ") + String.join(", ", keys) + " on '" + app + "'"
                + (release == null ? "" : ": release " + ReleaseView.label(release) + " is rolling out");
    }
}
