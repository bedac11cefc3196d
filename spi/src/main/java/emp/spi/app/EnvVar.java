package emp.spi.app;

import static java.util.Objects.requireNonNull;

/** One environment variable of an app spec, as the original platform wrote it: {@code {"name": ..., "value": ...}}. */
public record EnvVar(String name, String value) {
    public EnvVar {
        requireNonNull(name, "name is null");
        value = value == null ? "" : value;
    }
}
