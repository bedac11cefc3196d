package emp.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import emp.host.TestServer;
import emp.spi.AppRef;
import emp.spi.PlatformException;
import emp.spi.PluginConfig;
import emp.spi.PluginContext;
import emp.spi.SpiVersion;
import emp.spi.app.AppSpec;
import emp.spi.scheduler.AppView;
import emp.spi.scheduler.ClusterView;
import emp.spi.scheduler.Scheduler;
import emp.spi.scheduler.SchedulerFactory;
import emp.spi.scheduler.WindowMetrics;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host loads the real plugin jars from a folder and chooses among their extensions by name. */
class PluginHostTest {
    @Test
    void loadsThePluginJarsAndDescribesThem() {
        try (PluginHost host = new PluginHost(TestServer.pluginsDir())) {
            host.load();
            List<PluginInfo> plugins = host.describe(Map.of(ExtensionPointKind.STORE, "file"));
            assertThat(plugins).extracting(PluginInfo::id).contains("cluster-local", "store-file");
            PluginInfo store = plugins.stream()
                    .filter(plugin -> plugin.id().equals("store-file"))
                    .findFirst()
                    .orElseThrow();
            assertThat(store.state()).isEqualTo("started");
            assertThat(store.version()).isNotBlank();
            assertThat(store.extensions()).singleElement().satisfies(extension -> {
                assertThat(extension.point()).isEqualTo("store");
                assertThat(extension.name()).isEqualTo("file");
                assertThat(extension.active()).isTrue();
            });
            assertThat(host.select(ExtensionPointKind.CLUSTER, "local").pluginId())
                    .isEqualTo("cluster-local");
        }
    }

    @Test
    void aChoiceThatNamesNoPluginSaysWhatIsAvailable() {
        try (PluginHost host = new PluginHost(TestServer.pluginsDir())) {
            host.load();
            assertThatThrownBy(() -> host.select(ExtensionPointKind.CLUSTER, "kubernetes"))
                    .isInstanceOf(PlatformException.class)
                    .hasMessageContaining("cluster.use is 'kubernetes'")
                    .hasMessageContaining("available: ")
                    .hasMessageContaining("local (cluster-local)")
                    .hasMessageContaining("sim (cluster-sim)");
            assertThatThrownBy(() -> host.select(ExtensionPointKind.SCHEDULER, "fastest"))
                    .hasMessageContaining("available: threshold (scheduler-threshold), none");
        }
    }

    @Test
    void anEmptyFolderProvidesNothing(@TempDir Path empty) {
        try (PluginHost host = new PluginHost(empty)) {
            host.load();
            assertThat(host.describe(Map.of())).isEmpty();
            assertThatThrownBy(() -> host.select(ExtensionPointKind.STORE, "file"))
                    .hasMessageContaining("available: none");
        }
    }

    @Test
    void aMissingFolderIsAClearError(@TempDir Path dir) {
        try (PluginHost host = new PluginHost(dir.resolve("nowhere"))) {
            assertThatThrownBy(host::load).hasMessageContaining("nowhere").hasMessageContaining("plugins.dir");
        }
    }

    @Test
    void everyBuiltInPluginAcceptsTheSpiVersionThisHostSpeaks() throws Exception {
        try (var jars = java.nio.file.Files.list(TestServer.pluginsDir())) {
            for (Path jar :
                    jars.filter(file -> file.toString().endsWith(".jar")).toList()) {
                assertThat(PluginJar.manifest(jar).getValue("Plugin-Requires"))
                        .as(jar.getFileName().toString())
                        .isEqualTo(SpiVersion.COMPATIBLE);
            }
        }
    }

    @Test
    void aJarIsCheckedAddedReplacedAndItsClassLoaderCollected(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        try (PluginHost host = new PluginHost(plugins)) {
            host.load();
            Path first = TestPluginJar.build(dir, "fixed-scheduler", "1.0.0", 2);
            PluginJar checked = PluginJar.inspect(first);
            assertThat(checked.id()).isEqualTo("fixed-scheduler");
            assertThat(checked.version()).isEqualTo("1.0.0");
            assertThat(checked.extensions())
                    .containsExactly(new PluginJar.Offered(ExtensionPointKind.SCHEDULER, "fixed"));

            host.add(first, checked);

            assertThat(host.version("fixed-scheduler")).hasValue("1.0.0");
            Scheduler scheduler = scheduler(host, dir);
            assertThat(scheduler.decide(view())).singleElement().satisfies(decision -> {
                assertThat(decision.replicas()).isEqualTo(2);
                assertThat(decision.reason()).contains("1.0.0");
            });
            WeakReference<ClassLoader> firstLoader = new WeakReference<>(
                    host.select(ExtensionPointKind.SCHEDULER, "fixed").classLoader());

            Path second = TestPluginJar.build(dir, "fixed-scheduler", "2.0.0", 3);
            assertThat(host.newer("2.0.0", "1.0.0")).isTrue();
            assertThat(host.remove("fixed-scheduler")).isTrue();
            host.add(second, PluginJar.inspect(second));

            assertThat(scheduler(host, dir).decide(view()).get(0).reason()).contains("2.0.0");
            assertThat(Files.list(plugins).map(file -> file.getFileName().toString()))
                    .containsExactly("fixed-scheduler-2.0.0.jar");
            scheduler = null;
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        System.gc();
                        return firstLoader.get() == null;
                    });
        }
    }

    @Test
    void whatIsNoPluginForThisHostIsRefusedSayingWhy(@TempDir Path dir) throws Exception {
        Path notAJar = Files.writeString(dir.resolve("notes.jar"), "hello");
        assertThatThrownBy(() -> PluginJar.inspect(notAJar)).hasMessageContaining("not a jar");
        Path plainJar = dir.resolve("plain.jar");
        try (var out =
                new java.util.jar.JarOutputStream(Files.newOutputStream(plainJar), new java.util.jar.Manifest())) {
            out.putNextEntry(new java.util.jar.JarEntry("a.txt"));
        }
        assertThatThrownBy(() -> PluginJar.inspect(plainJar)).hasMessageContaining("not an EMP plugin");
        Path future = TestPluginJar.build(dir, "future", "1.0.0", 2, ">=9.0.0", "future", false);
        assertThatThrownBy(() -> PluginJar.inspect(future))
                .hasMessageContaining("requires EMP SPI >=9.0.0")
                .hasMessageContaining("this server speaks " + SpiVersion.CURRENT);
    }

    @Test
    void aStagedJarReplacesItsPluginAtTheNextLoad(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path first = TestPluginJar.build(dir, "fixed-scheduler", "1.0.0", 2);
        try (PluginHost host = new PluginHost(plugins)) {
            host.load();
            host.add(first, PluginJar.inspect(first));
            Path second = TestPluginJar.build(dir, "fixed-scheduler", "1.1.0", 3);
            host.stage(second, PluginJar.inspect(second));
            assertThat(host.staged()).containsEntry("fixed-scheduler", "1.1.0");
            assertThat(host.describe(Map.of())).singleElement().satisfies(plugin -> {
                assertThat(plugin.version()).isEqualTo("1.0.0");
                assertThat(plugin.staged()).isEqualTo("1.1.0");
            });
        }
        try (PluginHost host = new PluginHost(plugins)) {
            host.load();
            assertThat(host.version("fixed-scheduler")).hasValue("1.1.0");
            assertThat(host.staged()).isEmpty();
        }
    }

    private static Scheduler scheduler(PluginHost host, Path dir) {
        LoadedExtension extension = host.select(ExtensionPointKind.SCHEDULER, "fixed");
        return extension.create(
                Scheduler.class,
                factory -> ((SchedulerFactory) factory)
                        .create(new PluginContext(
                                "fixed-scheduler",
                                PluginConfig.empty("scheduler.fixed"),
                                dir,
                                URI.create("http://127.0.0.1:1"),
                                Clock.systemUTC())));
    }

    private static ClusterView view() {
        AppRef app = new AppRef("alice", "web");
        return new ClusterView(
                Instant.now(),
                Map.of(
                        app,
                        new AppView(
                                app,
                                AppSpec.ofCommand("web", List.of("java")),
                                1,
                                1,
                                WindowMetrics.empty(10),
                                List.of())));
    }
}
