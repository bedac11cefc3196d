package emp.bench.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginJarTest {
    @TempDir
    Path folder;

    @Test
    void readsWhatTheManifestSays() throws IOException {
        Path jar = jar(folder.resolve("queue-scheduler-1.0.0.jar"), "queue-scheduler", "1.0.0");

        PluginJar plugin = PluginJar.read(jar);

        assertThat(plugin).isEqualTo(new PluginJar(jar, "queue-scheduler", "1.0.0"));
        assertThat(plugin.describe()).isEqualTo("queue-scheduler-1.0.0.jar (queue-scheduler 1.0.0)");
    }

    @Test
    void aMissingFileOrOneThatIsNoPluginIsRefused() throws IOException {
        Path missing = folder.resolve("missing.jar");
        Path notAPlugin = jar(folder.resolve("library.jar"), null, null);
        Path notAJar = Files.writeString(folder.resolve("notes.jar"), "not a jar");

        assertThatThrownBy(() -> PluginJar.read(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--plugin " + missing + ": no such file; build the plugin first");
        assertThatThrownBy(() -> PluginJar.read(notAPlugin))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--plugin " + notAPlugin + " is not a PF4J plugin: its manifest has no Plugin-Id and"
                        + " Plugin-Version; build it as examples/scheduler-plugin does");
        assertThatThrownBy(() -> PluginJar.read(notAJar))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--plugin " + notAJar + " is not a jar");
    }

    @Test
    void aServersFolderHoldsTheDistributionsJarsAndThePluginsReplacingOnesOfTheirId() throws IOException {
        Path distribution = Files.createDirectories(folder.resolve("dist"));
        jar(distribution.resolve("scheduler-threshold.jar"), "scheduler-threshold", "0.1.0");
        jar(distribution.resolve("scheduler-tracegraph.jar"), "scheduler-tracegraph", "0.1.0");
        Files.writeString(distribution.resolve("README"), "not a jar, not copied");
        Path extra = Files.createDirectories(folder.resolve("extra"));
        PluginJar queue = PluginJar.read(jar(extra.resolve("queue-scheduler-1.0.0.jar"), "queue-scheduler", "1.0.0"));
        PluginJar rebuilt =
                PluginJar.read(jar(extra.resolve("scheduler-tracegraph-0.2.0.jar"), "scheduler-tracegraph", "0.2.0"));
        Path server = folder.resolve("run/plugins");

        List<String> jars = PluginJar.assemble(distribution, List.of(queue, rebuilt), server);

        assertThat(jars)
                .containsExactlyInAnyOrder(
                        "scheduler-threshold.jar", "queue-scheduler-1.0.0.jar", "scheduler-tracegraph-0.2.0.jar");
        try (var files = Files.list(server)) {
            assertThat(files.map(file -> file.getFileName().toString())).containsExactlyInAnyOrderElementsOf(jars);
        }
        assertThat(PluginJar.read(server.resolve("scheduler-tracegraph-0.2.0.jar"))
                        .version())
                .isEqualTo("0.2.0");
        assertThat(distribution.resolve("scheduler-tracegraph.jar")).exists();
    }

    /** A jar with a manifest; without {@code id}, one with no plugin entries. */
    static Path jar(Path file, String id, String version) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (id != null) {
            manifest.getMainAttributes().putValue("Plugin-Id", id);
            manifest.getMainAttributes().putValue("Plugin-Version", version);
        }
        try (OutputStream out = Files.newOutputStream(file);
                JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        return file;
    }
}
