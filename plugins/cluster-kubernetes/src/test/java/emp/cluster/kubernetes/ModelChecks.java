package emp.cluster.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Checks that objects are what the Kubernetes API schema says, through fabric8's model (generated from that schema).
 *
 * <p>The model's classes accept any field they do not know into {@code additionalProperties} (a JSON any-setter),
 * so even a mapper with {@code FAIL_ON_UNKNOWN_PROPERTIES} on reads a misspelt field without failing. The checks
 * therefore also walk the object read back and require every {@code additionalProperties} to be empty: a field the
 * schema lacks, at any depth, fails with its path.
 */
final class ModelChecks {
    /** fabric8's own mapper, strict about unknown properties where no any-setter takes them. */
    static final ObjectMapper STRICT = Serialization.jsonMapper()
            .rebuild()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final KubernetesSerialization KINDS = new KubernetesSerialization();

    private ModelChecks() {}

    /** Writes the object as JSON and reads it back strictly; the result must equal it and hold no unknown field. */
    static <T> T roundTrip(T object) {
        String json = Serialization.asJson(object);
        @SuppressWarnings("unchecked")
        T back = (T) STRICT.readValue(json, object.getClass());
        assertThat(back)
                .as("%s read back from %s", object.getClass().getSimpleName(), json)
                .isEqualTo(object);
        assertNoUnknownFields(back);
        String yaml = Serialization.asYaml(object);
        assertThat(Serialization.unmarshal(yaml, object.getClass()))
                .as("read back from YAML")
                .isEqualTo(object);
        return back;
    }

    /** The model class of a manifest document, by its apiVersion and kind; fails when Kubernetes has no such kind. */
    static Class<? extends KubernetesResource> kindOf(JsonNode document) {
        String apiVersion = document.path("apiVersion").asString();
        String kind = document.path("kind").asString();
        Class<? extends KubernetesResource> type = KINDS.getRegisteredKubernetesResource(apiVersion, kind);
        assertThat(type)
                .as("a Kubernetes kind for apiVersion '%s' kind '%s'", apiVersion, kind)
                .isNotNull();
        return type;
    }

    /** Reads a manifest document into its model class, strictly, and checks it holds no unknown field. */
    static KubernetesResource read(JsonNode document) {
        KubernetesResource resource = STRICT.treeToValue(document, kindOf(document));
        assertNoUnknownFields(resource);
        return resource;
    }

    static void assertNoUnknownFields(Object object) {
        List<String> unknown = new ArrayList<>();
        walk(object, object.getClass().getSimpleName(), unknown, new IdentityHashMap<>());
        assertThat(unknown).as("fields the Kubernetes schema does not have").isEmpty();
    }

    private static void walk(Object value, String path, List<String> unknown, IdentityHashMap<Object, Object> seen) {
        if (value == null || seen.put(value, value) != null) {
            return;
        }
        if (value instanceof Collection<?> collection) {
            int i = 0;
            for (Object item : collection) {
                walk(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> walk(item, path + "." + key, unknown, seen));
            return;
        }
        if (!value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method method : value.getClass().getMethods()) {
            if (method.getParameterCount() != 0
                    || Modifier.isStatic(method.getModifiers())
                    || !method.getName().startsWith("get")
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            Object property;
            try {
                property = method.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (method.getName().equals("getAdditionalProperties")) {
                if (property instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(key -> unknown.add(path + "." + key));
                }
                continue;
            }
            String name = Character.toLowerCase(method.getName().charAt(3))
                    + method.getName().substring(4);
            walk(property, path + "." + name, unknown, seen);
        }
    }
}
