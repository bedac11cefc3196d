package emp.host.plugin;

import emp.spi.SpiVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Plugins built the way PF4J builds one, in a test's folder: their sources compiled against the SPI on the test's
 * class path, a manifest naming them, and PF4J's extension index. The scheduler asks for {@code replicas} replicas of
 * every app, with a reason that names the plugin's version.
 */
final class TestPluginJar {
    private TestPluginJar() {}

    /**
     * @param version  the plugin's version, e.g. {@code 1.0.0}
     * @param replicas what its scheduler asks for each app
     * @param requires its {@code Plugin-Requires}
     * @param name     its scheduler's name
     * @param failing  whether its factory throws when it makes the scheduler
     */
    static Path build(
            Path folder, String id, String version, int replicas, String requires, String name, boolean failing) {
        return jar(
                folder,
                id,
                version,
                requires,
                "emp.testplugin.FixedSchedulerFactory",
                Map.of(
                        "FixedScheduler.java",
                        """
                        package emp.testplugin;

                        import emp.spi.scheduler.ClusterView;
                        import emp.spi.scheduler.ScaleDecision;
                        import emp.spi.scheduler.Scheduler;
                        import java.util.ArrayList;
                        import java.util.List;

                        public final class FixedScheduler implements Scheduler {
                            @Override
                            public List<ScaleDecision> decide(ClusterView view) {
                                List<ScaleDecision> decisions = new ArrayList<>();
                                view.apps().forEach((app, seen) -> {
                                    if (seen.replicas() != %d) {
                                        decisions.add(new ScaleDecision(app, %d, "fixed scheduler %s wants %d"));
                                    }
                                });
                                return decisions;
                            }
                        }
                        """.formatted(replicas, replicas, version, replicas),
                        "FixedSchedulerFactory.java",
                        """
                        package emp.testplugin;

                        import emp.spi.PluginContext;
                        import emp.spi.scheduler.Scheduler;
                        import emp.spi.scheduler.SchedulerFactory;
                        import org.pf4j.Extension;

                        @Extension
                        public final class FixedSchedulerFactory implements SchedulerFactory {
                            @Override
                            public String name() {
                                return "%s";
                            }

                            @Override
                            public String description() {
                                return "asks for %d replicas of every app (version %s)";
                            }

                            @Override
                            public Scheduler create(PluginContext context) {
                                if (%b) {
                                    throw new IllegalStateException("this scheduler never starts");
                                }
                                return new FixedScheduler();
                            }
                        }
                        """.formatted(name, replicas, version, failing)));
    }

    /**
     * A trace source plugin that gives each replica {@code BEACON=<version>} and collects nothing; when {@code failing},
     * its source throws at start.
     */
    static Path traceSource(Path folder, String id, String version, String name, boolean failing) {
        return jar(
                folder,
                id,
                version,
                SpiVersion.COMPATIBLE,
                "emp.testplugin.BeaconSourceFactory",
                Map.of("BeaconSourceFactory.java", """
                        package emp.testplugin;

                        import emp.spi.AppRef;
                        import emp.spi.Health;
                        import emp.spi.PluginContext;
                        import emp.spi.tracing.SpanSink;
                        import emp.spi.tracing.TraceSource;
                        import emp.spi.tracing.TraceSourceFactory;
                        import java.util.Map;
                        import org.pf4j.Extension;

                        @Extension
                        public final class BeaconSourceFactory implements TraceSourceFactory {
                            @Override
                            public String name() {
                                return "%s";
                            }

                            @Override
                            public String description() {
                                return "tells replicas a beacon, collects nothing (version %s)";
                            }

                            @Override
                            public TraceSource create(PluginContext context) {
                                return new TraceSource() {
                                    @Override
                                    public void start(SpanSink sink) {
                                        if (%b) {
                                            throw new IllegalStateException("this trace source never starts");
                                        }
                                    }

                                    @Override
                                    public Map<String, String> replicaEnvironment(AppRef app, String credential) {
                                        return Map.of("BEACON", "%s");
                                    }

                                    @Override
                                    public Health check() {
                                        return Health.healthy("beacon %s");
                                    }

                                    @Override
                                    public void close() {}
                                };
                            }
                        }
                        """.formatted(name, version, failing, version, version)));
    }

    /**
     * A copy of {@code plugin} whose manifest says {@code version}: the same plugin, as its next release would be.
     */
    static Path withVersion(Path plugin, Path folder, String version) {
        Path copy = folder.resolve(plugin.getFileName().toString().replace(".jar", "-" + version + ".jar"));
        try (JarInputStream in = new JarInputStream(Files.newInputStream(plugin))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Plugin-Version", version);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(copy), manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A plugin jar of {@code sources} (in package {@code emp.testplugin}), built as PF4J builds one. */
    private static Path jar(
            Path folder,
            String id,
            String version,
            String requires,
            String extensionClass,
            Map<String, String> sourceFiles) {
        try {
            Path work = Files.createDirectories(folder.resolve(id + "-" + version + "-build"));
            Path sources = Files.createDirectories(work.resolve("src/emp/testplugin"));
            Path classes = Files.createDirectories(work.resolve("classes"));
            for (Map.Entry<String, String> file : sourceFiles.entrySet()) {
                Files.writeString(sources.resolve(file.getKey()), file.getValue());
            }
            compile(sources, classes);
            Path jar = folder.resolve(id + "-" + version + ".jar");
            Manifest manifest = new Manifest();
            Attributes attributes = manifest.getMainAttributes();
            attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            attributes.putValue("Plugin-Id", id);
            attributes.putValue("Plugin-Version", version);
            attributes.putValue("Plugin-Requires", requires);
            attributes.putValue("Plugin-Description", "a test plugin");
            try (OutputStream stream = Files.newOutputStream(jar);
                    JarOutputStream out = new JarOutputStream(stream, manifest)) {
                out.putNextEntry(new JarEntry("META-INF/extensions.idx"));
                out.write((extensionClass + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
                try (Stream<Path> files = Files.walk(classes)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        out.putNextEntry(
                                new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                        out.write(Files.readAllBytes(file));
                        out.closeEntry();
                    }
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A plugin that works with this host. */
    static Path build(Path folder, String id, String version, int replicas) {
        return build(folder, id, version, replicas, SpiVersion.COMPATIBLE, "fixed", false);
    }

    /** The jar or folder a class was loaded from. */
    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void compile(Path sources, Path classes) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> arguments = new ArrayList<>(List.of(
                "-proc:none",
                "-d",
                classes.toString(),
                "-classpath",
                location(SpiVersion.class) + java.io.File.pathSeparator + location(org.pf4j.Extension.class)));
        try (Stream<Path> files = Files.list(sources)) {
            files.forEach(file -> arguments.add(file.toString()));
        }
        int status = compiler.run(null, null, null, arguments.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("the test plugin does not compile (javac exit " + status + ")");
        }
    }
}
