package emp.host;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import emp.spi.PlatformException;

/**
 * The one JSON mapping of the host: snake_case fields, ISO-8601 times, unknown fields refused. Reading turns
 * Jackson's failures into {@link PlatformException}s that name the field, in the spec's own spelling, and what was
 * expected there.
 */
public final class JsonCodec {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .registerModule(new JavaTimeModule())
            .registerModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private JsonCodec() {}

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /** Reads what the host wrote itself (store values); a failure here is a bug or a corrupt store. */
    public static <T> T readStored(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "stored " + type.getSimpleName() + " cannot be read: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads a request body.
     *
     * @param what what the body is, for messages: {@code "app spec"}
     * @throws PlatformException of category INVALID naming the field and what was expected
     */
    public static <T> T readRequest(String body, JavaType type, String what) {
        if (body == null || body.isBlank()) {
            throw PlatformException.invalid(null, "the request has no body; send the " + what + " as JSON");
        }
        T value;
        try {
            value = MAPPER.readValue(body, type);
        } catch (UnrecognizedPropertyException e) {
            String field = path(e);
            throw PlatformException.invalid(
                    field,
                    "unknown field '" + field + "' in the " + what + "; known fields are " + e.getKnownPropertyIds());
        } catch (InvalidFormatException e) {
            String field = path(e);
            throw PlatformException.invalid(
                    field, "field '" + field + "' is '" + e.getValue() + "'; expected " + describe(e.getTargetType()));
        } catch (MismatchedInputException e) {
            String field = path(e);
            if (field.isEmpty()) {
                throw PlatformException.invalid(
                        null, "the " + what + " has the wrong shape: expected " + describe(e.getTargetType()));
            }
            throw PlatformException.invalid(
                    field, "field '" + field + "' has the wrong type; expected " + describe(e.getTargetType()));
        } catch (StreamReadException e) {
            var location = e.getLocation();
            throw PlatformException.invalid(
                    null,
                    "the " + what + " is not valid JSON (line " + location.getLineNr() + ", column "
                            + location.getColumnNr() + "): " + e.getOriginalMessage());
        } catch (JsonMappingException e) {
            String field = path(e);
            String cause = e.getCause() != null && e.getCause().getMessage() != null
                    ? e.getCause().getMessage()
                    : e.getOriginalMessage();
            throw PlatformException.invalid(
                    field.isEmpty() ? null : field,
                    (field.isEmpty() ? "the " + what : "field '" + field + "'") + " is invalid: " + cause);
        } catch (JsonProcessingException e) {
            throw PlatformException.invalid(null, "the " + what + " cannot be read: " + e.getOriginalMessage());
        }
        if (value == null) {
            throw PlatformException.invalid(null, "the request body is null; send the " + what + " as a JSON object");
        }
        return value;
    }

    public static <T> T readRequest(String body, Class<T> type, String what) {
        return readRequest(body, MAPPER.constructType(type), what);
    }

    /** The field path of a mapping failure, e.g. {@code quality_metrics[0].values}. */
    static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            } else if (reference.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            }
        }
        return path.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "another value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }
}
