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
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A scheduler plugin built the way PF4J builds one, in a test's folder: its sources compiled against the SPI on the
 * test's class path, a manifest naming it, and PF4J's extension index. Its scheduler asks for {@code replicas}
 * replicas of every app, with a reason that names the plugin's version.
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
        try {
            Path work = Files.createDirectories(folder.resolve(id + "-" + version + "-build"));
            Path sources = Files.createDirectories(work.resolve("src/emp/testplugin"));
            Path classes = Files.createDirectories(work.resolve("classes"));
            Files.writeString(
                    sources.resolve("FixedScheduler.java"), """
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
                    """.formatted(replicas, replicas, version, replicas));
            Files.writeString(
                    sources.resolve("FixedSchedulerFactory.java"), """
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
                    """.formatted(name, replicas, version, failing));
            compile(sources, classes);
            Path jar = folder.resolve(id + "-" + version + ".jar");
            Manifest manifest = new Manifest();
            Attributes attributes = manifest.getMainAttributes();
            attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            attributes.putValue("Plugin-Id", id);
            attributes.putValue("Plugin-Version", version);
            attributes.putValue("Plugin-Requires", requires);
            attributes.putValue("Plugin-Description", "a test scheduler");
            try (OutputStream stream = Files.newOutputStream(jar);
                    JarOutputStream out = new JarOutputStream(stream, manifest)) {
                out.putNextEntry(new JarEntry("META-INF/extensions.idx"));
                out.write("emp.testplugin.FixedSchedulerFactory\n".getBytes(StandardCharsets.UTF_8));
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
