package emp.host.plugin;

import static java.util.Objects.requireNonNull;

import emp.spi.EmpExtension;
import emp.spi.PlatformException;
import emp.spi.SpiVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;

/**
 * A plugin jar an operator offers, checked before the host takes it: a PF4J plugin (its manifest names it), built for
 * the SPI version this host speaks ({@code Plugin-Requires}), whose extensions load and implement the host's SPI
 * types. The check loads the jar in a throwaway plugin manager of its own, which is closed before the answer.
 *
 * @param id          its {@code Plugin-Id}
 * @param version     its {@code Plugin-Version}
 * @param description its {@code Plugin-Description}, or empty
 * @param extensions  what it provides: extension point and name
 */
public record PluginJar(String id, String version, String description, List<Offered> extensions) {
    /** One extension a plugin jar provides. */
    public record Offered(ExtensionPointKind kind, String name) {}

    public PluginJar {
        requireNonNull(id, "id is null");
        requireNonNull(version, "version is null");
        extensions = List.copyOf(extensions);
    }

    /**
     * Checks {@code jar}.
     *
     * @throws PlatformException of category INVALID saying what is wrong with it and what to do
     */
    public static PluginJar inspect(Path jar) {
        Attributes manifest = manifest(jar);
        String id = manifest.getValue("Plugin-Id");
        String version = manifest.getValue("Plugin-Version");
        if (id == null || id.isBlank() || version == null || version.isBlank()) {
            throw PlatformException.invalid(
                    "plugin",
                    "the jar is not an EMP plugin: its manifest has no Plugin-Id and Plugin-Version; build it as"
                            + " examples/scheduler-plugin does");
        }
        String requires = manifest.getValue("Plugin-Requires");
        Path trial = null;
        PluginManager manager = null;
        try {
            trial = Files.createTempDirectory("emp-plugin-check");
            Files.copy(jar, trial.resolve("candidate.jar"));
            manager = new DefaultPluginManager(trial);
            manager.setSystemVersion(SpiVersion.CURRENT);
            manager.loadPlugins();
            PluginWrapper plugin = manager.getPlugin(id);
            if (plugin == null) {
                throw PlatformException.invalid(
                        "plugin", "plugin '" + id + "' does not load: PF4J finds no plugin in the jar");
            }
            if (plugin.getPluginState() == PluginState.DISABLED
                    || !manager.getVersionManager()
                            .checkVersionConstraint(SpiVersion.CURRENT, requiresOrAny(requires))) {
                throw PlatformException.invalid(
                        "plugin",
                        "plugin '" + id + "' " + version + " requires EMP SPI " + requiresOrAny(requires)
                                + ", and this server speaks " + SpiVersion.CURRENT + "; build it against SPI "
                                + SpiVersion.CURRENT + " with Plugin-Requires: " + SpiVersion.COMPATIBLE);
            }
            PluginState started = manager.startPlugin(id);
            if (started != PluginState.STARTED) {
                throw PlatformException.invalid(
                        "plugin",
                        "plugin '" + id + "' does not start ("
                                + started.toString().toLowerCase() + ")" + failure(plugin));
            }
            List<Offered> offered = new ArrayList<>();
            for (ExtensionPointKind kind : ExtensionPointKind.values()) {
                for (EmpExtension factory : manager.getExtensions(kind.factoryType(), id)) {
                    offered.add(new Offered(kind, factory.name()));
                }
            }
            if (offered.isEmpty()) {
                throw PlatformException.invalid(
                        "plugin",
                        "plugin '" + id + "' provides no EMP extension: none of its @Extension classes implements a"
                                + " factory of SPI " + SpiVersion.CURRENT
                                + " (ClusterManagerFactory, StateStoreFactory, TraceSourceFactory, SchedulerFactory)");
            }
            return new PluginJar(
                    id,
                    version,
                    plugin.getDescriptor().getPluginDescription() == null
                            ? ""
                            : plugin.getDescriptor().getPluginDescription(),
                    offered);
        } catch (LinkageError e) {
            throw PlatformException.invalid(
                    "plugin",
                    "plugin '" + id + "' was built against another SPI than this server's " + SpiVersion.CURRENT + ": "
                            + e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the plugin jar in a temporary folder", e);
        } catch (RuntimeException e) {
            if (e instanceof PlatformException) {
                throw e;
            }
            throw PlatformException.invalid("plugin", "plugin '" + id + "' does not load: " + e.getMessage());
        } finally {
            if (manager != null) {
                manager.stopPlugins();
                manager.unloadPlugins();
            }
            deleteQuietly(trial);
        }
    }

    /** The manifest's main attributes of a plugin jar that a person picked, with clear words when it is no jar. */
    static Attributes manifest(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null) {
                throw PlatformException.invalid(
                        "plugin",
                        "the jar has no manifest, so it is no PF4J plugin; build it as"
                                + " examples/scheduler-plugin does");
            }
            return manifest.getMainAttributes();
        } catch (IOException e) {
            throw PlatformException.invalid(
                    "plugin", "the upload is not a jar (" + e.getMessage() + "); send the plugin's .jar file");
        }
    }

    private static String requiresOrAny(String requires) {
        return requires == null || requires.isBlank() ? "*" : requires.trim();
    }

    private static String failure(PluginWrapper plugin) {
        Throwable error = plugin.getFailedException();
        return error == null ? "" : ": " + error;
    }

    private static void deleteQuietly(Path folder) {
        if (folder == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // A temporary folder left behind is the system's to clean.
        }
    }
}
