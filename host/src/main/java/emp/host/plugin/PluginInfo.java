package emp.host.plugin;

import java.util.List;

/**
 * A loaded plugin as {@code GET /v1/plugins} and {@code emp plugins} show it.
 *
 * @param id          the plugin id, e.g. {@code store-file}
 * @param version     its version
 * @param state       PF4J's state: {@code started}, {@code disabled}, {@code failed}...
 * @param description one line from its manifest
 * @param extensions  the extensions it provides
 * @param staged      the version staged to replace it at the next start ({@code emp plugins install} of a plugin in
 *                    use), or null
 */
public record PluginInfo(
        String id, String version, String state, String description, List<Extension> extensions, String staged) {
    public PluginInfo {
        extensions = List.copyOf(extensions);
    }

    /**
     * @param point       {@code cluster}, {@code store}, {@code tracing} or {@code scheduler}
     * @param name        the name that chooses it
     * @param active      whether the server uses it now
     * @param description what it is
     */
    public record Extension(String point, String name, boolean active, String description) {}
}
