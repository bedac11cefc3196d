package emp.host.plugin;

import emp.spi.EmpExtension;
import emp.spi.PlatformException;
import emp.spi.SpiVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.Attributes;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads every plugin jar of a folder with PF4J and finds the extension factories they bring. The host never
 * imports a plugin's classes: it sees only the SPI types the factories implement. At run time it adds a checked
 * {@link PluginJar} to the folder and loads it, unloads and deletes one (its class loader closed, so that nothing of
 * it stays once its extensions' instances are dropped), or stages one to replace a plugin at the next start.
 *
 * <p>Thread-safe: changes are serialised, and the index of extensions is read without a lock.
 */
public final class PluginHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    private final Path pluginsDir;
    private final PluginManager manager;
    /** Where a jar waits for the next start, to replace the plugin of its id then. */
    static final String STAGED = ".staged";

    private final List<LoadedExtension> extensions = new CopyOnWriteArrayList<>();

    public PluginHost(Path pluginsDir) {
        this.pluginsDir = pluginsDir;
        this.manager = new DefaultPluginManager(pluginsDir);
        manager.setSystemVersion(SpiVersion.CURRENT);
    }

    /** Loads and starts every plugin in the folder, and indexes the extensions each provides. */
    public void load() {
        if (!Files.isDirectory(pluginsDir)) {
            throw PlatformException.invalid(
                    "plugins.dir",
                    "plugin folder '" + pluginsDir
                            + "' does not exist; point plugins.dir at the distribution's plugins/ folder");
        }
        applyStaged();
        manager.loadPlugins();
        manager.startPlugins();
        for (PluginWrapper plugin : manager.getPlugins()) {
            log.info(
                    "loaded plugin '{}' {} ({})",
                    plugin.getPluginId(),
                    plugin.getDescriptor().getVersion(),
                    plugin.getPluginState());
            index(plugin);
        }
    }

    /** The version of the loaded plugin of this id, if one is. */
    public synchronized Optional<String> version(String id) {
        return Optional.ofNullable(manager.getPlugin(id))
                .map(plugin -> plugin.getDescriptor().getVersion());
    }

    /** The jar the loaded plugin of this id came from, if one is loaded. */
    public synchronized Optional<Path> jarOf(String id) {
        return Optional.ofNullable(manager.getPlugin(id)).map(PluginWrapper::getPluginPath);
    }

    /** Whether {@code candidate} is a newer version than {@code installed}, by semantic versioning. */
    public boolean newer(String candidate, String installed) {
        return manager.getVersionManager().compareVersions(candidate, installed) > 0;
    }

    /**
     * Copies a checked jar into the folder and loads and starts it; the loaded plugin of its id, if any, must have
     * been removed first.
     *
     * @throws PlatformException of category INVALID when it does not start here, leaving nothing behind
     */
    public synchronized void add(Path jar, PluginJar checked) {
        Path target = pluginsDir.resolve(fileName(checked));
        try {
            Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw PlatformException.unavailable(
                    "cannot write the plugin jar to " + pluginsDir + ": " + e.getMessage(), e);
        }
        try {
            String id = manager.loadPlugin(target);
            PluginState state = manager.startPlugin(id);
            if (state != PluginState.STARTED) {
                throw PlatformException.invalid(
                        "plugin",
                        "plugin '" + id + "' does not start here ("
                                + state.toString().toLowerCase() + ")");
            }
            index(manager.getPlugin(id));
            log.info("installed plugin '{}' {} from {}", id, checked.version(), target.getFileName());
        } catch (RuntimeException e) {
            if (manager.getPlugin(checked.id()) != null) {
                manager.unloadPlugin(checked.id());
            }
            deleteQuietly(target);
            throw e instanceof PlatformException platform
                    ? platform
                    : PlatformException.invalid("plugin", "plugin '" + checked.id() + "' does not load: " + e);
        }
    }

    /**
     * Stops, unloads and deletes the plugin: its extensions leave the index and its class loader is closed.
     *
     * @return whether a plugin of that id was loaded
     */
    public synchronized boolean remove(String id) {
        PluginWrapper plugin = manager.getPlugin(id);
        if (plugin == null) {
            return false;
        }
        Path file = plugin.getPluginPath();
        extensions.removeIf(extension -> extension.pluginId().equals(id));
        manager.stopPlugin(id);
        manager.unloadPlugin(id);
        deleteQuietly(file);
        log.info("removed plugin '{}' {}", id, plugin.getDescriptor().getVersion());
        return true;
    }

    /** Puts a checked jar aside to replace the plugin of its id at the next start: for the plugins in use. */
    public synchronized void stage(Path jar, PluginJar checked) {
        try {
            Path staged = Files.createDirectories(pluginsDir.resolve(STAGED));
            Files.copy(jar, staged.resolve(fileName(checked)), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw PlatformException.unavailable(
                    "cannot stage the plugin jar in " + pluginsDir.resolve(STAGED) + ": " + e.getMessage(), e);
        }
        log.info(
                "plugin '{}' {} staged; it replaces {} at the next start",
                checked.id(),
                checked.version(),
                checked.id());
    }

    /** The jars waiting for the next start, by plugin id and version. */
    public Map<String, String> staged() {
        Map<String, String> staged = new TreeMap<>();
        for (Path jar : jars(pluginsDir.resolve(STAGED))) {
            try {
                Attributes manifest = PluginJar.manifest(jar);
                staged.put(manifest.getValue("Plugin-Id"), manifest.getValue("Plugin-Version"));
            } catch (PlatformException e) {
                log.warn("staged file {} is not a plugin jar: {}", jar, e.getMessage());
            }
        }
        return staged;
    }

    /** Before loading: each staged jar replaces the jar of the same plugin id in the folder. */
    private void applyStaged() {
        List<Path> staged = jars(pluginsDir.resolve(STAGED));
        if (staged.isEmpty()) {
            return;
        }
        Map<String, Path> present = new HashMap<>();
        for (Path jar : jars(pluginsDir)) {
            try {
                present.put(PluginJar.manifest(jar).getValue("Plugin-Id"), jar);
            } catch (PlatformException e) {
                // PF4J says what it makes of it when it loads the folder.
            }
        }
        for (Path jar : staged) {
            try {
                String id = PluginJar.manifest(jar).getValue("Plugin-Id");
                Path old = present.get(id);
                if (old != null) {
                    Files.delete(old);
                }
                Files.move(jar, pluginsDir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                log.info(
                        "plugin '{}': the staged {} replaces {}",
                        id,
                        jar.getFileName(),
                        old == null ? "nothing" : old.getFileName());
            } catch (IOException | PlatformException e) {
                log.warn("cannot apply the staged plugin jar {}: {}", jar, e.getMessage());
            }
        }
    }

    private void index(PluginWrapper plugin) {
        for (ExtensionPointKind kind : ExtensionPointKind.values()) {
            for (EmpExtension factory : manager.getExtensions(kind.factoryType(), plugin.getPluginId())) {
                extensions.add(new LoadedExtension(
                        kind, factory.name(), factory, plugin.getPluginId(), plugin.getPluginClassLoader()));
                log.info("plugin '{}' provides {} '{}'", plugin.getPluginId(), kind.point(), factory.name());
            }
        }
    }

    private static String fileName(PluginJar checked) {
        return checked.id().replaceAll("[^A-Za-z0-9._-]", "_") + "-"
                + checked.version().replaceAll("[^A-Za-z0-9._-]", "_") + ".jar";
    }

    private static List<Path> jars(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", file, e.getMessage());
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

    /** Whether a loaded plugin provides an extension of {@code kind} named {@code name}. */
    public boolean provides(ExtensionPointKind kind, String name) {
        return extensions.stream()
                .anyMatch(extension ->
                        extension.kind() == kind && extension.name().equals(name));
    }

    /** The loaded extensions of a plugin. */
    public List<LoadedExtension> extensionsOf(String pluginId) {
        return extensions.stream()
                .filter(extension -> extension.pluginId().equals(pluginId))
                .toList();
    }

    /** Every loaded plugin with its extensions, marking those in {@code active} (point name to chosen name). */
    public synchronized List<PluginInfo> describe(Map<ExtensionPointKind, String> active) {
        List<PluginInfo> plugins = new ArrayList<>();
        Map<String, String> staged = staged();
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
                    provided,
                    staged.get(plugin.getPluginId())));
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
