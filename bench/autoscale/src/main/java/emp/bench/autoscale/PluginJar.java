package emp.bench.autoscale;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * A plugin jar passed with {@code --plugin}, to be loaded by every run's server beside the distribution's plugins:
 * what its manifest says it is.
 *
 * @param file    the jar
 * @param id      its {@code Plugin-Id}
 * @param version its {@code Plugin-Version}
 */
record PluginJar(Path file, String id, String version) {
    PluginJar {
        requireNonNull(file, "file is null");
        requireNonNull(id, "id is null");
        requireNonNull(version, "version is null");
    }

    /**
     * Reads {@code file}'s manifest.
     *
     * @throws IllegalArgumentException when it is missing, no jar, or no PF4J plugin, saying which and what to do
     */
    static PluginJar read(Path file) {
        requireNonNull(file, "file is null");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--plugin " + file + ": no such file; build the plugin first (mvn"
                    + " package in its folder) and pass its jar, e.g. examples/scheduler-plugin/target/"
                    + "queue-scheduler-1.0.0.jar");
        }
        Manifest manifest;
        try (JarFile jar = new JarFile(file.toFile())) {
            manifest = jar.getManifest();
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--plugin " + file + " is not a jar (" + e.getMessage() + "); pass the plugin's .jar file");
        }
        Attributes main = manifest == null ? new Attributes() : manifest.getMainAttributes();
        String id = main.getValue("Plugin-Id");
        String version = main.getValue("Plugin-Version");
        if (id == null || id.isBlank() || version == null || version.isBlank()) {
            throw new IllegalArgumentException("--plugin " + file + " is not a PF4J plugin: its manifest has no"
                    + " Plugin-Id and Plugin-Version; build it as examples/scheduler-plugin does");
        }
        return new PluginJar(file.toAbsolutePath().normalize(), id.trim(), version.trim());
    }

    /** {@code queue-scheduler-1.0.0.jar (queue-scheduler 1.0.0)}. */
    String describe() {
        return file.getFileName() + " (" + id + " " + version + ")";
    }

    /**
     * Fills {@code folder} with a server's plugins: the distribution's jars, then {@code extra}. A distribution jar of
     * the same {@code Plugin-Id} as an extra one (a rebuilt built-in plugin, say) is left out, as PF4J loads one
     * plugin per id.
     *
     * @param distribution the distribution's {@code plugins} folder
     * @return the jars now in {@code folder}, by file name
     */
    static List<String> assemble(Path distribution, List<PluginJar> extra, Path folder) throws IOException {
        Files.createDirectories(folder);
        Set<String> replaced = extra.stream().map(PluginJar::id).collect(Collectors.toSet());
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(distribution, "*.jar")) {
            for (Path jar : jars) {
                if (!replaced.contains(idOf(jar))) {
                    Files.copy(jar, folder.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    names.add(jar.getFileName().toString());
                }
            }
        }
        for (PluginJar jar : extra) {
            Files.copy(jar.file(), folder.resolve(jar.file().getFileName()), StandardCopyOption.REPLACE_EXISTING);
            if (!names.contains(jar.file().getFileName().toString())) {
                names.add(jar.file().getFileName().toString());
            }
        }
        return List.copyOf(names);
    }

    /** The Plugin-Id of a distribution jar; its file name without {@code .jar} when it has none. */
    private static String idOf(Path jar) {
        try {
            return read(jar).id();
        } catch (IllegalArgumentException e) {
            String name = jar.getFileName().toString();
            return name.substring(0, name.length() - ".jar".length());
        }
    }
}
