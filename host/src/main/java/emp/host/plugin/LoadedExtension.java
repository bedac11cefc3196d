package emp.host.plugin;

import static java.util.Objects.requireNonNull;

import emp.spi.EmpExtension;

/**
 * An extension factory found in a plugin.
 *
 * @param kind        its extension point
 * @param name        the short name that chooses it
 * @param factory     the factory instance
 * @param pluginId    the plugin that brought it
 * @param classLoader the plugin's class loader, set as the context loader whenever the host calls into it
 */
public record LoadedExtension(
        ExtensionPointKind kind, String name, EmpExtension factory, String pluginId, ClassLoader classLoader) {
    public LoadedExtension {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(factory, "factory is null");
        requireNonNull(pluginId, "pluginId is null");
        requireNonNull(classLoader, "classLoader is null");
    }

    /** Calls the factory's {@code create} with the plugin's class loader and wraps what it makes so every later call is too. */
    public <T> T create(Class<T> componentType, java.util.function.Function<EmpExtension, T> create) {
        T component = PluginClassLoading.call(classLoader, () -> create.apply(factory));
        return PluginClassLoading.wrap(componentType, component, classLoader);
    }
}
