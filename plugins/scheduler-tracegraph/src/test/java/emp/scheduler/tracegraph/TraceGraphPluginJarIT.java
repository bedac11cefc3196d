package emp.scheduler.tracegraph;

import static emp.tck.scheduler.Views.metrics;
import static emp.tck.scheduler.Views.p95;
import static emp.tck.scheduler.Views.spec;
import static org.assertj.core.api.Assertions.assertThat;

import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.scheduler.ScaleDecision;
import emp.spi.scheduler.Scheduler;
import emp.spi.scheduler.SchedulerFactory;
import emp.tck.scheduler.Views;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;

/** The plugin as an operator installs it: the one jar, loaded by PF4J. */
class TraceGraphPluginJarIT {
    @TempDir
    Path plugins;

    @TempDir
    Path data;

    @Test
    void theJarHoldsTheSchedulerButNotTheHostsOwnClasses() throws Exception {
        try (JarFile jar = new JarFile(pluginJar().toFile())) {
            List<String> entries = Collections.list(jar.entries()).stream()
                    .map(ZipEntry::getName)
                    .toList();

            assertThat(entries)
                    .contains(
                            "META-INF/extensions.idx",
                            "emp/scheduler/tracegraph/TraceGraphSchedulerFactory.class",
                            "emp/scheduler/tracegraph/TraceGraphScheduler.class");
            assertThat(entries)
                    .noneMatch(entry -> entry.startsWith("emp/spi/")
                            || entry.startsWith("org/pf4j/")
                            || entry.startsWith("org/slf4j/"));
            assertThat(jar.getManifest().getMainAttributes().getValue("Plugin-Id"))
                    .isEqualTo("scheduler-tracegraph");
        }
    }

    @Test
    void loadedByPf4jItDecides() throws Exception {
        Files.copy(pluginJar(), plugins.resolve(pluginJar().getFileName()));
        PluginManager manager = new DefaultPluginManager(plugins);
        try {
            manager.loadPlugins();
            manager.startPlugins();
            List<SchedulerFactory> factories = manager.getExtensions(SchedulerFactory.class, "scheduler-tracegraph");
            assertThat(factories).extracting(SchedulerFactory::name).containsExactly("tracegraph");
            assertThat(factories.get(0).getClass().getClassLoader())
                    .isSameAs(manager.getPlugin("scheduler-tracegraph").getPluginClassLoader());

            Scheduler scheduler = factories
                    .get(0)
                    .create(new PluginContext(
                            "scheduler-tracegraph",
                            PluginConfig.empty(TraceGraphConfig.SECTION),
                            data,
                            URI.create("http://127.0.0.1:7070"),
                            Clock.systemUTC()));

            assertThat(scheduler.decide(Views.at(0)
                            .app(spec("songs", p95(100)), 1, metrics(5, 500, 900))
                            .build()))
                    .extracting(ScaleDecision::replicas)
                    .containsExactly(2);
        } finally {
            manager.stopPlugins();
            manager.unloadPlugins();
        }
    }

    private static Path pluginJar() {
        String jar = System.getProperty("plugin.jar");
        assertThat(jar)
                .as("system property plugin.jar, set by the failsafe plugin")
                .isNotNull();
        assertThat(Path.of(jar)).as("the shaded plugin jar; run `mvn verify`").isRegularFile();
        return Path.of(jar);
    }
}
