package emp.host.apps;

import emp.spi.app.AppSpec;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Which fields of a spec a redeploy changed, named as the spec's JSON names them ({@code docker_image}, {@code envs}). */
final class SpecChanges {
    private SpecChanges() {}

    /** The fields whose values differ, in the spec's order; empty when the specs are equal. */
    static List<String> between(AppSpec before, AppSpec after) {
        List<String> changed = new ArrayList<>();
        for (RecordComponent component : AppSpec.class.getRecordComponents()) {
            try {
                Object was = component.getAccessor().invoke(before);
                Object is = component.getAccessor().invoke(after);
                if (!Objects.equals(was, is)) {
                    changed.add(snakeCase(component.getName()));
                }
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read field '" + component.getName() + "' of a spec", e);
            }
        }
        return changed;
    }

    private static String snakeCase(String name) {
        StringBuilder snake = new StringBuilder(name.length() + 4);
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c)) {
                snake.append('_').append(Character.toLowerCase(c));
            } else {
                snake.append(c);
            }
        }
        return snake.toString();
    }
}
