package emp.host.plugin;

import emp.spi.EmpExtension;
import emp.spi.PlatformException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads every plugin jar of a folder with PF4J and finds the extension factories they bring. The host never
 * imports a plugin's classes: it sees only the SPI types the factories implement.
 */
public final class PluginHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    private final Path pluginsDir;
    private final PluginManager manager;
    private final List<LoadedExtension> extensions = new ArrayList<>();

    public PluginHost(Path pluginsDir) {
        this.pluginsDir = pluginsDir;
        this.manager = new DefaultPluginManager(pluginsDir);
    }

    /** Loads and starts every plugin in the folder, and indexes the extensions each provides. */
    public void load() {
        if (!Files.isDirectory(pluginsDir)) {
            throw PlatformException.invalid(
                    "plugins.dir",
                    "plugin folder '" + pluginsDir
                            + "' does not exist; point plugins.dir at the distribution's plugins/ folder");
        }
        manager.loadPlugins();
        manager.startPlugins();
        for (PluginWrapper plugin : manager.getPlugins()) {
            log.info(
                    "loaded plugin '{}' {} ({})",
                    plugin.getPluginId(),
                    plugin.getDescriptor().getVersion(),
                    plugin.getPluginState());
            for (ExtensionPointKind kind : ExtensionPointKind.values()) {
                for (EmpExtension factory : manager.getExtensions(kind.factoryType(), plugin.getPluginId())) {
                    extensions.add(new LoadedExtension(
                            kind, factory.name(), factory, plugin.getPluginId(), plugin.getPluginClassLoader()));
                    log.info("plugin '{}' provides {} '{}'", plugin.getPluginId(), kind.point(), factory.name());
                }
            }
        }
    }

    /**
     * The extension of {@code kind} named {@code name}.
     *
     * @throws PlatformException naming the choice and the implementations that are loaded, when none has that name
     */
    public LoadedExtension select(ExtensionPointKind kind, String name) {
        return extensions.stream()
                .filter(extension ->
                        extension.kind() == kind && extension.name().equals(name))
                .findFirst()
                .orElseThrow(() -> PlatformException.invalid(
                        kind.choice().key(),
                        kind.choice().key() + " is '" + name
                                + "' but no loaded plugin provides a " + kind.point() + " of that name; available: "
                                + available(kind)
                                + " (plugins are the jars in " + pluginsDir + ")"));
    }

    private String available(ExtensionPointKind kind) {
        String names = extensions.stream()
                .filter(extension -> extension.kind() == kind)
                .map(extension -> extension.name() + " (" + extension.pluginId() + ")")
                .collect(Collectors.joining(", "));
        return names.isEmpty() ? "none" : names + (kind.required() ? "" : ", none");
    }

    /** Every loaded plugin with its extensions, marking those in {@code active} (point name to chosen name). */
    public List<PluginInfo> describe(Map<ExtensionPointKind, String> active) {
        List<PluginInfo> plugins = new ArrayList<>();
        for (PluginWrapper plugin : manager.getPlugins()) {
            List<PluginInfo.Extension> provided = extensions.stream()
                    .filter(extension -> extension.pluginId().equals(plugin.getPluginId()))
                    .map(extension -> new PluginInfo.Extension(
                            extension.kind().point(),
                            extension.name(),
                            extension.name().equals(active.get(extension.kind())),
                            extension.factory().description()))
                    .toList();
            plugins.add(new PluginInfo(
                    plugin.getPluginId(),
                    plugin.getDescriptor().getVersion(),
                    plugin.getPluginState().toString().toLowerCase(),
                    plugin.getDescriptor().getPluginDescription(),
                    provided));
        }
        plugins.sort(Comparator.comparing(PluginInfo::id));
        return plugins;
    }

    public Path pluginsDir() {
        return pluginsDir;
    }

    @Override
    public void close() {
        manager.stopPlugins();
        manager.unloadPlugins();
    }
}
